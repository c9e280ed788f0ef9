"""Hostile keys and DID documents (review #15, H2 and L1): a key that cannot verify anything
is refused when it is built, naming the member; a verifier raises InvalidSignature and
nothing else; a malformed DID document fails the proof as a resolution failure naming what
is wrong; RSA keys under 2048 bits verify nothing, on any path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import decode_jwt, sign_jwt, verify_jwt
from credentials.verify import Outcome, verify_credential
from credentials.verify.resolvers import (
    ControllerDocumentResolver,
    ResolutionError,
    default_resolver,
    method_in_document,
)
from keys import Ed25519VerificationKey, InvalidSignature, base64url, generate_ed25519
from keys.jose import JoseSigner, JwkVerificationKey, generate, public_jwk
from keys.jwk import UnusableKeyError
from tests.hostile_documents import (
    DID,
    DOCUMENT_URL,
    EC_JWK,
    ED,
    ED_JWK,
    HOSTILE,
    METHOD,
    Hostile,
    credential,
    document,
    jwk_method,
    rsa_jwk,
)
from tests.resolvers_support import FakeFetcher


def hostile_resolver(served: Any) -> Any:
    return default_resolver(FakeFetcher({DOCUMENT_URL: served}))


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_did_document_fails_the_proof_naming_the_problem(case: Hostile) -> None:
    report = verify_credential(case.signed(), resolver=hostile_resolver(case.document))
    proof = report.check("proof")
    assert proof.outcome is Outcome.FAILURE
    assert case.words in proof.message, proof.message
    assert proof.detail["failure"] == "key" and proof.detail["keyProblem"] == case.problem
    assert report.check("issuer").outcome is Outcome.SKIPPED
    assert report.verdict.startswith("Not verified: its signing key could not be resolved (")
    assert "changed after it was signed" not in report.verdict


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_document_at_an_https_controller_fails_alike(case: Hostile) -> None:
    """The https controller-document resolver reads documents through the same code."""
    controller = "https://evil.example/keys"
    resolver = ControllerDocumentResolver(FakeFetcher({controller: renamed(case.document,
                                                                           controller)}))
    with pytest.raises(ResolutionError) as raised:
        resolver.resolve(f"{controller}#k1", "assertionMethod")
    assert raised.value.problem == case.problem
    assert case.words.replace(DID, controller) in str(raised.value)


def renamed(value: Any, controller: str) -> Any:
    """``value`` with the DID replaced by ``controller`` wherever it appears."""
    if isinstance(value, str):
        return value.replace(DID, controller)
    if isinstance(value, list):
        return [renamed(item, controller) for item in value]
    if isinstance(value, dict):
        return {name: renamed(item, controller) for name, item in value.items()}
    return value


@pytest.mark.parametrize("bad_id", [5, ["a"], None, {"a": 1}])
def test_a_controller_document_whose_id_is_not_text_is_malformed(bad_id: Any) -> None:
    with pytest.raises(ResolutionError, match=r"has an id that is .*, not text") as raised:
        method_in_document({"id": bad_id, "verificationMethod": []}, "did:web:x#k",
                           "assertionMethod")
    assert raised.value.problem == "malformed-document"


def test_the_honest_document_verifies() -> None:
    """The control: the same credential and document, unspoilt, verify and bind."""
    signed = create_proof(credential(), EDDSA_RDFC_2022, ED)
    report = verify_credential(signed, resolver=hostile_resolver(document()))
    assert report.verified and report.issuer_bound, report.errors
    jwk_document = document(jwk_method(ED_JWK))
    assert verify_credential(signed, resolver=hostile_resolver(jwk_document)).verified


JWK_CASES = [
    ({**EC_JWK, "x": 5}, "'x' is a number"),
    ({**EC_JWK, "y": None}, "'y' is null"),
    ({k: v for k, v in EC_JWK.items() if k != "y"}, "has no 'y' member"),
    ({**EC_JWK, "x": base64url.encode(bytes(34))}, "holds 34 bytes, not 32"),
    ({**EC_JWK, "x": "*" + EC_JWK["x"][1:]}, "'x' is not base64url"),
    ({**EC_JWK, "crv": 7}, "'crv' is a number"),
    ({"kty": "RSA", "n": 5, "e": "AQAB"}, "the RSA JWK's 'n' is a number"),
    ({"kty": "RSA", "n": public_jwk(generate("RSA-2048").private_key.public_key())["n"]},
     "has no 'e' member"),
    ({"kty": "RSA", "e": "AQAB", "n": ""}, "'n' is empty"),
    ({"kty": ["EC"]}, "'kty' is a list"),
    ("EC", "the JWK is a string, not an object"),
    ({**ED_JWK, "x": base64url.encode(bytes(31))}, "holds 31 bytes, not 32"),
]


@pytest.mark.parametrize("jwk, words", JWK_CASES)
def test_a_jwk_that_cannot_verify_is_refused_when_built(jwk: Any, words: str) -> None:
    with pytest.raises(UnusableKeyError, match=words.replace("(", r"\(")):
        JwkVerificationKey(jwk)
    if isinstance(jwk, dict) and jwk.get("kty") == "OKP":
        with pytest.raises(UnusableKeyError, match=words):
            Ed25519VerificationKey.from_jwk(jwk)


def test_rsa_keys_under_2048_bits_are_refused_and_2048_taken() -> None:
    _, short = rsa_jwk(1024)
    with pytest.raises(UnusableKeyError, match="has 1024 bits; only keys of 2048 to 16384"):
        JwkVerificationKey(short)
    _, weak_exponent = rsa_jwk(2048)
    with pytest.raises(UnusableKeyError, match="not an RSA public key"):
        JwkVerificationKey({**weak_exponent, "e": "Ag"})  # e = 2 is even
    assert JwkVerificationKey(rsa_jwk(2048)[1]).algorithm == "RS256"


def test_a_vc_jwt_signed_with_a_1024_bit_rsa_key_fails() -> None:
    """Review #15, L1: it used to verify, issuer bound (joserfc only warns)."""
    signer, short = rsa_jwk(1024)
    token = sign_jwt(credential(), signer)
    report = verify_credential(token, resolver=hostile_resolver(document(jwk_method(short))))
    proof = report.check("proof")
    assert proof.outcome is Outcome.FAILURE and "has 1024 bits" in proof.message
    assert proof.detail["keyProblem"] == "unusable-key"
    assert not report.verified and not report.issuer_bound
    with pytest.raises(UnusableKeyError, match="1024 bits"):
        verify_jwt(decode_jwt(token), short)  # the policy holds for a direct caller too


def test_a_vc_jwt_carrying_a_1024_bit_rsa_key_in_its_header_fails() -> None:
    signer, short = rsa_jwk(1024)
    header = {"alg": "RS256", "jwk": short, "typ": "JWT"}
    token = _jwt(header, credential(), signer)
    proof = verify_credential(token).check("proof")
    assert proof.outcome is Outcome.FAILURE and "has 1024 bits" in proof.message
    assert proof.detail["failure"] == "key"


def test_a_vc_jwt_signed_with_a_2048_bit_rsa_key_verifies() -> None:
    signer, jwk = rsa_jwk(2048)
    token = sign_jwt(credential(), signer)
    report = verify_credential(token, resolver=hostile_resolver(document(jwk_method(jwk))))
    assert report.verified and report.issuer_bound, report.errors


def test_ps256_is_not_accepted() -> None:
    signer, _ = rsa_jwk(2048)
    token = _jwt({"alg": "PS256", "kid": METHOD, "typ": "JWT"}, credential(), signer)
    proof = verify_credential(token).check("proof")
    assert proof.outcome is Outcome.FAILURE and "'PS256' is not accepted" in proof.message


def test_a_data_integrity_proof_naming_a_1024_bit_rsa_key_fails() -> None:
    _, short = rsa_jwk(1024)
    signed = create_proof(credential(), EDDSA_RDFC_2022, ED)
    report = verify_credential(signed, resolver=hostile_resolver(document(jwk_method(short))))
    assert "has 1024 bits" in report.check("proof").message


def _jwt(header: dict[str, Any], payload: dict[str, Any], signer: JoseSigner) -> str:
    """A compact JWS with any header (sign_jwt writes only alg, kid and typ)."""
    def part(value: dict[str, Any]) -> str:
        return base64url.encode(json.dumps(value).encode())

    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{base64url.encode(signer.sign(signing_input.encode()))}"


def verifiers() -> list[Any]:
    """One public key of every Verifier class in keys/, of every kind each takes."""
    return [ED.verification_key, JwkVerificationKey(ED_JWK),
            generate("P-256").verification_key,
            JoseSigner(ec.generate_private_key(ec.SECP384R1())).verification_key,
            generate("RSA-2048").verification_key]


VERIFIERS = verifiers()
ODD_INPUTS = [b"", b"\x00", b"\xff" * 64, b"\x00" * 96, b"\x01" * 256, b"x" * 10_000,
              "text", None, 5, ["a"], bytearray(64), memoryview(b"\x00" * 64)]


@pytest.mark.parametrize("key", VERIFIERS, ids=lambda k: f"{type(k).__name__}-{k.algorithm}")
@pytest.mark.parametrize("signature", ODD_INPUTS, ids=repr)
def test_verify_raises_only_invalid_signature(key: Any, signature: Any) -> None:
    for data in (b"data", "text", None):
        with pytest.raises(InvalidSignature):
            key.verify(signature, data)


@settings(max_examples=60, deadline=None)
@given(signature=st.one_of(st.binary(max_size=600), st.text(max_size=20), st.integers(),
                           st.none()),
       data=st.one_of(st.binary(max_size=64), st.text(max_size=8), st.none()))
def test_no_signature_makes_a_verifier_raise_another_error(signature: Any, data: Any) -> None:
    for key in VERIFIERS:
        with pytest.raises(InvalidSignature):
            key.verify(signature, data)


def test_a_real_signature_still_verifies_with_every_verifier() -> None:
    signer = generate_ed25519()
    signer.verification_key.verify(signer.sign(b"data"), b"data")
    for key_type in ("P-256", "RSA-2048"):
        jose = generate(key_type)
        jose.verification_key.verify(jose.sign(b"data"), b"data")
