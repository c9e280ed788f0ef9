"""Verification method resolvers and the SSRF-safe fetcher they use."""

from __future__ import annotations

import pytest

from credentials.fetch import FetchError, SafeFetcher
from credentials.verify.resolvers import (
    ControllerDocumentResolver,
    DidWebResolver,
    ResolutionError,
    default_resolver,
    method_in_document,
)
from keys import generate_ed25519
from keys.did import did_web_document
from tests.resolvers_support import FakeFetcher


@pytest.mark.parametrize("url, words", [
    ("http://example.com/did.json", "only https"),
    ("ftp://example.com/x", "only https"),
    ("https://127.0.0.1/did.json", "private, loopback"),
    ("https://localhost/did.json", "private, loopback"),
    ("https://[::1]/did.json", "private, loopback"),
    ("https://[::ffff:127.0.0.1]/did.json", "private, loopback"),
    ("https://10.1.2.3/did.json", "private, loopback"),
    ("https://169.254.169.254/latest/meta-data", "private, loopback"),
    ("https://0.0.0.0/", "private, loopback"),
])
def test_fetcher_refuses_unsafe_urls(url: str, words: str) -> None:
    with pytest.raises(FetchError, match=words):
        SafeFetcher().get_json(url)


def test_did_web_resolution_checks_the_assertion_method() -> None:
    did = "did:web:issuer.example:issuers:a"
    active = generate_ed25519(f"{did}#key-2", did).verification_key
    retired = generate_ed25519(f"{did}#key-1", did).verification_key
    document = did_web_document(did, [active, retired], assertion_keys=[active.id])
    resolver = DidWebResolver(FakeFetcher({
        "https://issuer.example/issuers/a/did.json": document}))
    assert resolver.resolve(active.id, "assertionMethod").raw == active.raw
    with pytest.raises(ResolutionError, match="not authorised for assertionMethod"):
        resolver.resolve(retired.id, "assertionMethod")
    with pytest.raises(ResolutionError, match="not listed"):
        resolver.resolve(f"{did}#key-9", "assertionMethod")
    with pytest.raises(ResolutionError, match="HTTP 404"):
        resolver.resolve("did:web:issuer.example:issuers:b#key-1", "assertionMethod")


def test_did_web_document_must_be_for_the_did() -> None:
    did = "did:web:issuer.example"
    key = generate_ed25519(f"{did}#k", did).verification_key
    resolver = DidWebResolver(FakeFetcher({
        "https://issuer.example/.well-known/did.json": did_web_document("did:web:other", [key])}))
    with pytest.raises(ResolutionError, match="not for that DID"):
        resolver.resolve(f"{did}#k", "assertionMethod")


def test_relative_method_ids_resolve() -> None:
    key = generate_ed25519().verification_key
    document = {"id": "did:web:x", "verificationMethod": [
        {"id": "#k", "type": "Multikey", "publicKeyMultibase": key.multikey}],
        "assertionMethod": ["#k"]}
    assert method_in_document(document, "did:web:x#k", "assertionMethod").raw == key.raw


def test_default_resolver_names_what_it_supports() -> None:
    with pytest.raises(ResolutionError, match="supported: did:key, did:web"):
        default_resolver().resolve("urn:example:issuer#key-1")
    with pytest.raises(ResolutionError, match="no verificationMethod"):
        default_resolver().resolve("")


def test_https_controller_documents_are_fetched_and_checked() -> None:
    key = generate_ed25519().verification_key
    controller = "https://issuer.example/issuers/7"
    document = {"id": controller, "verificationMethod": [
        {"id": f"{controller}#key-1", "type": "Multikey", "controller": controller,
         "publicKeyMultibase": key.multikey}], "assertionMethod": [f"{controller}#key-1"]}
    resolver = ControllerDocumentResolver(FakeFetcher({controller: document}))
    assert resolver.resolve(f"{controller}#key-1", "assertionMethod").raw == key.raw
    with pytest.raises(ResolutionError, match="not listed"):
        resolver.resolve(f"{controller}#key-2", "assertionMethod")
    with pytest.raises(ResolutionError, match="cannot fetch"):
        resolver.resolve("https://elsewhere.example/k#1", "assertionMethod")
