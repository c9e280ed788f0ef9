"""did:key and did:web: identifiers and DID documents (did:key for Ed25519, P-256 and P-384
Multikeys: ``z6Mk...``, ``zDn...``, ``z82...``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from keys.ecdsa import multikey_verification_key
from keys.ed25519 import Ed25519VerificationKey
from keys.signer import Verifier

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"


class DidError(ValueError):
    """A DID is malformed or of a method this module does not handle."""


def did_key(key: Ed25519VerificationKey | str) -> str:
    """``did:key:z...`` for an Ed25519 public key or any public Multikey value."""
    return f"did:key:{key if isinstance(key, str) else key.multikey}"


def did_key_verification_method(did: str) -> str:
    """The one verification method of a did:key: ``did:key:z..#z..``."""
    return f"{did}#{did.removeprefix('did:key:')}"


def did_key_public_key(did_or_url: str) -> Verifier:
    """The key a did:key (or its verification method URL) encodes: Ed25519, P-256 or P-384.
    Raises :class:`DidError` or :class:`keys.multibase.MultibaseError`."""
    did, _, fragment = did_or_url.partition("#")
    value = did.removeprefix("did:key:")
    if not did.startswith("did:key:") or (fragment and fragment != value):
        raise DidError(f"{did_or_url!r} is not a did:key verification method")
    return multikey_verification_key(value, id=did_key_verification_method(did),
                                     controller=did)


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key expands to (did:key method, Multikey form)."""
    key = did_key_public_key(did)
    method = {"id": key.id, "type": "Multikey", "controller": did,
              "publicKeyMultibase": did.removeprefix("did:key:")}
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": [method],
        "authentication": [method["id"]],
        "assertionMethod": [method["id"]],
        "capabilityDelegation": [method["id"]],
        "capabilityInvocation": [method["id"]],
    }


def did_web_for_url(url: str) -> str:
    """The did:web for a URL (DID Web method, section 3.1): the host, its port
    percent-encoded, then each path segment after a colon:
    ``https://h:5000/cc/issuers/a`` -> ``did:web:h%3A5000:cc:issuers:a``."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise DidError(f"{url!r} has no host")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
    host += f":{parts.port}" if parts.port else ""
    segments = [quote(host, safe="")]
    segments += [quote(s, safe="") for s in parts.path.strip("/").split("/") if s]
    return "did:web:" + ":".join(segments)


def did_web_document_url(did: str) -> str:
    """Where a did:web document is published (did:web method specification, section 3.2)."""
    if not did.startswith("did:web:"):
        raise DidError(f"{did!r} is not a did:web")
    segments = did.removeprefix("did:web:").split("#")[0].split(":")
    host = unquote(segments[0])
    if not host or "/" in host:
        raise DidError(f"{did!r} has no valid host")
    path = "/".join(unquote(s) for s in segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def verification_method_document(key: Any) -> dict[str, Any]:
    """Ed25519 keys as ``Multikey``; P-256 and RSA keys as ``JsonWebKey`` with publicKeyJwk."""
    if isinstance(key, Ed25519VerificationKey):
        return key.multikey_document()
    return {"id": key.id, "type": "JsonWebKey", "controller": key.controller,
            "publicKeyJwk": key.jwk()}


def did_web_document(did: str, keys: Sequence[Any],
                     assertion_keys: Sequence[str] | None = None) -> dict[str, Any]:
    """A did:web document listing ``keys`` (Multikey or JsonWebKey).

    ``assertion_keys`` (ids) are the keys credentials may be signed with; by default all.
    """
    methods = [verification_method_document(key) for key in keys]
    active = list(assertion_keys) if assertion_keys is not None else [m["id"] for m in methods]
    context = list(DID_CONTEXT)
    if any(m["type"] == "JsonWebKey" for m in methods):
        context.append(JWK_CONTEXT)
    return {
        "@context": context,
        "id": did,
        "verificationMethod": methods,
        "authentication": active,
        "assertionMethod": active,
    }
