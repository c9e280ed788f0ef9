"""The bundled JSON-LD contexts: pinned, equal to the published documents, never fetched."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from pyld import jsonld

from contexts import DEFAULT_LOADER, DocumentNotAllowed, bundled_document, manifest
from contexts.loader import DOCUMENTS, HERE
from credentials.canonical import CanonicalizationError, canonicalize
from credentials.verify import verify_credential
from tests.factories import signed_credential

REQUIRED = [
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://www.w3.org/ns/did/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
]


# Contexts the reference bundle in ../shared has no copy of.
NOT_IN_REFERENCE_BUNDLE = {"https://www.w3.org/ns/odrl.jsonld"}


def test_manifest_pins_every_document() -> None:
    entries = manifest()
    for url in REQUIRED:
        assert url in entries
    for entry in entries.values():
        data = (DOCUMENTS / entry.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256, entry.file
        assert entry.source.startswith(("@", "did-context@", "ed25519-signature-2020-context@",
                                        "authored:")), entry.source
    files = {entry.file for entry in entries.values()}
    assert files == {p.name for p in DOCUMENTS.iterdir()}, "unlisted documents on disk"


def test_each_package_licence_is_kept_beside_its_files() -> None:
    packages = {e.source.split(":")[0].rsplit("@", 1)[0] for e in manifest().values()
                if not e.source.startswith("authored:")}
    assert len(packages) == 11
    for package in packages:
        assert (HERE / "licenses" / (package.replace("/", "__") + ".LICENSE")).is_file()


def test_contexts_equal_the_published_documents(standards: Path) -> None:
    index = json.loads((standards / "contexts" / "index.json").read_text())
    for url, entry in manifest().items():
        if url in NOT_IN_REFERENCE_BUNDLE:
            continue
        assert url in index, url
        published = json.loads((standards / "contexts" / index[url]).read_text())
        assert bundled_document(url) == published, f"{entry.file} differs from {url}"


def test_unknown_urls_are_refused() -> None:
    with pytest.raises(DocumentNotAllowed, match="never fetches"):
        DEFAULT_LOADER("https://example.com/evil-context.json")
    document = {"@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://example.com/evil-context.json"],
                "type": ["VerifiableCredential"]}
    with pytest.raises(CanonicalizationError, match="not one of the bundled contexts") as error:
        canonicalize(document)
    assert error.value.path == "/@context"


def test_no_network_is_touched(crosswalk) -> None:
    """With every socket call failing, signing, verifying and unknown contexts still behave."""
    from pytest_socket import SocketBlockedError, disable_socket, enable_socket

    pyld_loader = jsonld.get_document_loader()
    fetched: list[str] = []
    jsonld.set_document_loader(lambda url, options=None: fetched.append(url))
    disable_socket()
    try:
        with pytest.warns(UserWarning, match="socket"), pytest.raises(SocketBlockedError):
            socket.socket()
        credential = signed_credential(crosswalk)
        assert verify_credential(credential).verified
        credential["@context"].append("https://example.com/evil-context.json")
        report = verify_credential(credential)
        assert not report.verified
        assert "not one of the bundled contexts" in report.check("proof").message
    finally:
        enable_socket()
        jsonld.set_document_loader(pyld_loader)
    assert fetched == []
