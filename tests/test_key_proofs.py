"""OpenID4VCI jwt key proofs: each way of naming the holder's key, and each way a proof
fails to prove anything."""

from __future__ import annotations

import json
import time

import pytest

from credentials.key_proofs import KeyProofError, did_jwk, did_jwk_key, verify_key_proof
from keys import base64url
from tests.service.oid4vci_support import HolderKey

AUDIENCE = "https://credentials.example.org"


@pytest.mark.parametrize("make", [HolderKey.ed25519, HolderKey.p256])
@pytest.mark.parametrize("named_by", ["did:key", "did:jwk", "jwk"])
def test_a_proof_names_its_holder_by_did(make, named_by: str) -> None:
    holder = make()
    proof = verify_key_proof(holder.proof(audience=AUDIENCE, nonce="n-1", key=named_by),
                             audience=AUDIENCE, now=int(time.time()))
    assert proof.nonce == "n-1"
    if named_by == "did:key":
        assert proof.holder == holder.did_key
    else:
        assert proof.holder.startswith("did:jwk:")
        assert did_jwk_key(proof.holder).jwk() == holder.jwk
    if named_by == "jwk":
        assert proof.holder == did_jwk(holder.jwk)


def refused(token: str, words: str, now: int | None = None) -> None:
    with pytest.raises(KeyProofError, match=words):
        verify_key_proof(token, audience=AUDIENCE, now=now or int(time.time()))


def test_proofs_that_prove_nothing_are_refused() -> None:
    holder = HolderKey.ed25519()
    refused(holder.proof(audience="https://elsewhere.example", nonce="n"), "aud must be")
    refused(holder.proof(audience=AUDIENCE, nonce=None), "no nonce")
    refused(holder.proof(audience=AUDIENCE, nonce="n", typ="JWT"), "typ must be")
    refused(holder.proof(audience=AUDIENCE, nonce="n", iat=int(time.time()) - 3600),
            "iat is not within")
    refused(holder.proof(audience=AUDIENCE, nonce="n", iat=int(time.time()) + 3600),
            "iat is not within")
    good = holder.proof(audience=AUDIENCE, nonce="n")
    header, payload, signature = good.split(".")
    other = HolderKey.ed25519().proof(audience=AUDIENCE, nonce="other").split(".")
    refused(f"{header}.{other[1]}.{signature}", "signature does not verify")
    refused(f"{other[0]}.{payload}.{signature}", "signature does not verify")
    refused("not-a-jws", "compact JWS")
    refused(123, "compact JWS string")  # type: ignore[arg-type]


def test_keys_we_do_not_bind_to_are_refused() -> None:
    holder = HolderKey.ed25519()
    token = holder.proof(audience=AUDIENCE, nonce="n", key="jwk")
    private = dict(holder.jwk, d="AAAA")
    header = base64url.encode(json.dumps({"typ": "openid4vci-proof+jwt", "alg": "EdDSA",
                                          "jwk": private}).encode())
    refused(header + "." + token.split(".", 1)[1], "private JWK members")
    web = base64url.encode(json.dumps({"typ": "openid4vci-proof+jwt", "alg": "EdDSA",
                                       "kid": "did:web:example.org#key-1"}).encode())
    refused(web + "." + token.split(".", 1)[1], "not a did:key or did:jwk")
    both = base64url.encode(json.dumps({"typ": "openid4vci-proof+jwt", "alg": "EdDSA",
                                        "kid": holder.did_key, "jwk": holder.jwk}).encode())
    refused(both + "." + token.split(".", 1)[1], "exactly one of kid")
    wrong_alg = base64url.encode(json.dumps({"typ": "openid4vci-proof+jwt", "alg": "ES256",
                                             "jwk": holder.jwk}).encode())
    refused(wrong_alg + "." + token.split(".", 1)[1], "does not fit")
    none = base64url.encode(json.dumps({"typ": "openid4vci-proof+jwt", "alg": "none",
                                        "jwk": holder.jwk}).encode())
    refused(none + "." + token.split(".", 1)[1], "not accepted")
