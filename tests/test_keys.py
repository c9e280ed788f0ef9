"""Keys: Multikey and JWK encodings, did:key and did:web documents, signers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from keys import (
    Ed25519Signer,
    Ed25519VerificationKey,
    InvalidSignature,
    base64url,
    generate_ed25519,
)
from keys.did import (
    DidError,
    did_key,
    did_key_document,
    did_key_public_key,
    did_web_document,
    did_web_document_url,
    did_web_for_url,
)
from keys.jose import JwkVerificationKey, public_jwk, thumbprint
from keys.jwk import UnusableKeyError
from keys.multibase import MultibaseError

# RFC 8032 section 7.1, test 1.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_rfc8032_key_and_multikey_round_trip() -> None:
    signer = Ed25519Signer.from_seed(RFC8032_SEED)
    key = signer.verification_key
    assert key.raw == RFC8032_PUBLIC
    assert key.multikey.startswith("z6Mk")
    assert Ed25519VerificationKey.from_multikey(key.multikey).raw == RFC8032_PUBLIC
    assert Ed25519VerificationKey.from_jwk(key.jwk()).raw == RFC8032_PUBLIC
    signature = signer.sign(b"")
    assert signature.hex().startswith("e5564300c360ac72")
    key.verify(signature, b"")
    with pytest.raises(InvalidSignature):
        key.verify(signature, b"x")


def test_private_key_never_shows_in_repr() -> None:
    signer = generate_ed25519("did:example:1#k")
    assert signer.private_bytes().hex() not in repr(signer)
    assert "private" not in repr(signer).lower()


def test_did_key_document() -> None:
    key = Ed25519Signer.from_seed(RFC8032_SEED).verification_key
    did = did_key(key)
    document = did_key_document(did)
    method = document["verificationMethod"][0]
    assert method == {"id": f"{did}#{key.multikey}", "type": "Multikey", "controller": did,
                      "publicKeyMultibase": key.multikey}
    assert document["assertionMethod"] == [method["id"]]
    assert did_key_public_key(method["id"]).raw == key.raw


@pytest.mark.parametrize("bad", ["did:key:zQ3s", "did:key:z6Mkfoo", "did:web:x",
                                 "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other"])
def test_bad_did_keys_are_refused(bad: str) -> None:
    with pytest.raises((DidError, MultibaseError, ValueError)):
        did_key_public_key(bad)


def test_did_web_mapping() -> None:
    did = did_web_for_url("http://127.0.0.1:5000/issuers/riverbend")
    assert did == "did:web:127.0.0.1%3A5000:issuers:riverbend"
    assert did_web_document_url(did) == "https://127.0.0.1:5000/issuers/riverbend/did.json"
    assert did_web_document_url("did:web:example.com") == \
        "https://example.com/.well-known/did.json"


@pytest.mark.parametrize(("base", "did"), [
    ("https://credentials.example.org", "did:web:credentials.example.org:issuers:a"),
    ("https://Example.ORG:8443", "did:web:example.org%3A8443:issuers:a"),
    ("https://example.org/cc/v1/", "did:web:example.org:cc:v1:issuers:a"),
    ("https://example.org:8443/cc", "did:web:example.org%3A8443:cc:issuers:a"),
    ("https://example.org/a%20b", "did:web:example.org:a%2520b:issuers:a"),
    ("https://[::1]:8443", "did:web:%5B%3A%3A1%5D%3A8443:issuers:a"),
])
def test_did_web_of_a_base_url_with_a_port_or_a_path(base: str, did: str) -> None:
    """The port's colon is percent-encoded, path segments become colon-separated, and the
    DID maps back to the base URL's own did.json."""
    profile = f"{base.rstrip('/')}/issuers/a"
    assert did_web_for_url(profile) == did
    expected = urlsplit(profile)._replace(netloc=urlsplit(profile).netloc.lower())
    assert did_web_document_url(did) == expected.geturl() + "/did.json"


def test_did_web_document_keeps_retired_keys_published() -> None:
    did = "did:web:example.com:issuers:a"
    current = generate_ed25519(f"{did}#key-2", did).verification_key
    retired = generate_ed25519(f"{did}#key-1", did).verification_key
    document = did_web_document(did, [current, retired], assertion_keys=[current.id])
    assert [m["id"] for m in document["verificationMethod"]] == [current.id, retired.id]
    assert document["assertionMethod"] == [current.id]


def test_jwk_keys_that_cannot_verify_are_refused_when_built() -> None:
    """A short RSA key and an OKP JWK that is no Ed25519 key are never made into verifiers
    (see tests/test_hostile_keys.py for the rest); a usable OKP key raises InvalidSignature
    for a signature that is not its, never another error or a value to forget to look at."""
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(UnusableKeyError, match="1024 bits"):
        JwkVerificationKey(public_jwk(short.public_key()))
    with pytest.raises(UnusableKeyError, match="'crv' is 'X25519'"):
        JwkVerificationKey({"kty": "OKP", "crv": "X25519", "x": "AA"})
    signer = generate_ed25519()
    okp = JwkVerificationKey(signer.verification_key.jwk())
    okp.verify(signer.sign(b"data"), b"data")
    with pytest.raises(InvalidSignature):
        okp.verify(signer.sign(b"data"), b"other")


RFC7638_RSA = {  # RFC 7638 section 3.1, with the members a thumbprint leaves out
    "kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
         "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
         "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI"
         "4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}


def test_jwk_thumbprints_match_the_rfc_examples() -> None:
    assert thumbprint(RFC7638_RSA) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    okp = {"kty": "OKP", "crv": "Ed25519",  # RFC 8037 appendix A.3
           "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert thumbprint(okp) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_a_jwk_that_is_no_key_still_has_a_thumbprint() -> None:
    """A forged JWT header's key is named in the failure, so naming it must not import it."""
    off_curve = {"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ"}
    assert thumbprint(off_curve) == thumbprint({**off_curve, "kid": "ignored"})
    with pytest.raises(KeyError):
        thumbprint({"kty": "EC", "crv": "P-256", "x": "AQ"})


def test_base64url_leaves_padding_off_and_reads_it_either_way() -> None:
    assert base64url.encode(b"\xfb\xff") == "-_8"
    assert base64url.decode("-_8") == base64url.decode("-_8=") == b"\xfb\xff"
    assert base64url.decode("-_8*=") == b"\xfb\xff"  # skipped, as urlsafe_b64decode does
    with pytest.raises(ValueError):
        base64url.decode("-_8*=", strict=True)
