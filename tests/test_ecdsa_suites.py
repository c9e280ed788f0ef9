"""ECDSA keys and suites: P-256/P-384 Multikeys and did:key, ecdsa-rdfc-2019 round trips,
ecdsa-jcs-2019 verification rules, and SHA-384 canonicalization on both canonicalizers."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials.canonical import CanonicalizationError, canonicalize, canonicalize_with_pyld
from credentials.proofs import (
    ECDSA_JCS_2019,
    ECDSA_RDFC_2019,
    EDDSA_RDFC_2022,
    ProofError,
    create_proof,
    hash_name_for,
)
from credentials.proofs.data_integrity import hash_data, proof_config_for_verification
from credentials.verify import Outcome, verify_credential
from credentials.verify.resolvers import (
    ChainResolver,
    DidKeyResolver,
    MultikeyFragmentResolver,
    ResolutionError,
    key_from_method,
)
from keys.did import did_key, did_key_document, did_key_public_key, did_key_verification_method
from keys.ecdsa import (
    ec_multikey,
    ec_multikey_jwk,
    ec_signer_from_secret_multikey,
    multikey_verification_key,
)
from keys.jose import JoseSigner, JwkVerificationKey, generate
from keys.jwk import UnusableKeyError
from keys.multibase import (
    P256_PRIV,
    P256_PUB,
    P384_PUB,
    MultibaseError,
    decode_base58btc,
    encode_base58btc,
)
from keys.signer import InvalidSignature
from tests.factories import did_key_signer, unsigned_credential
from tests.test_fast_canonicalization import NODES, OB, UNDEFINED_TERMS, VC2

OFFLINE = ChainResolver([DidKeyResolver(), MultikeyFragmentResolver()])
CURVES = {"P-256": (ec.SECP256R1, "zDn", P256_PUB, 33, "ES256"),
          "P-384": (ec.SECP384R1, "z82", P384_PUB, 49, "ES384")}


def ecdsa_signer(curve: str, secret: int = 0x1234567) -> JoseSigner:
    """A fixed P-256/P-384 key whose verification method is its did:key."""
    signer = JoseSigner(ec.derive_private_key(secret, CURVES[curve][0]()))
    did = did_key(ec_multikey(signer.private_key.public_key()))
    return signer.with_id(did_key_verification_method(did), did)


@pytest.mark.parametrize("curve", CURVES)
def test_multikey_is_header_and_compressed_point(curve: str) -> None:
    curve_class, prefix, header, length, algorithm = CURVES[curve]
    public = ec.derive_private_key(987654321, curve_class()).public_key()
    value = ec_multikey(public)
    assert value.startswith(prefix)
    raw = decode_base58btc(value)
    assert raw[:2] == header and len(raw) == 2 + length
    assert raw[2:] == public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    key = multikey_verification_key(value, "did:example:1#k", "did:example:1")
    assert key.algorithm == algorithm and key.jwk()["crv"] == curve
    assert ec_multikey(key) == value


@pytest.mark.parametrize("curve", CURVES)
def test_uncompressed_or_truncated_points_are_refused(curve: str) -> None:
    curve_class, _, header, _, _ = CURVES[curve]
    public = ec.derive_private_key(5, curve_class()).public_key()
    uncompressed = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    compressed = public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    for bad in (header + uncompressed, header + compressed[:-1], header + b"\x05" + b"\x00" *
                (len(compressed) - 1)):
        with pytest.raises(MultibaseError):
            ec_multikey_jwk(encode_base58btc(bad))


def test_multikey_of_another_type_is_refused() -> None:
    with pytest.raises(MultibaseError, match="not a P-256 or P-384"):
        ec_multikey_jwk(encode_base58btc(bytes([0xE7, 0x01]) + b"\x02" * 33))  # secp256k1
    p384 = ec_multikey(ec.derive_private_key(5, ec.SECP384R1()).public_key())
    with pytest.raises(MultibaseError, match="expected a P-256 key"):
        ec_multikey_jwk(p384, ("P-256",))


def test_secret_multikey_gives_the_matching_signer() -> None:
    private = ec.derive_private_key(42, ec.SECP256R1())
    signer = ec_signer_from_secret_multikey(encode_base58btc(P256_PRIV + (42).to_bytes(32, "big")))
    assert ec_multikey(signer.verification_key) == ec_multikey(private.public_key())
    with pytest.raises(MultibaseError):
        ec_signer_from_secret_multikey(encode_base58btc(P256_PRIV + b"\x01" * 31))


@pytest.mark.parametrize("curve", CURVES)
def test_did_key_for_ecdsa_keys(curve: str) -> None:
    signer = ecdsa_signer(curve)
    did = signer.controller
    assert did.startswith(f"did:key:{CURVES[curve][1]}")
    document = did_key_document(did)
    method = document["verificationMethod"][0]
    assert method == {"id": signer.id, "type": "Multikey", "controller": did,
                      "publicKeyMultibase": did.removeprefix("did:key:")}
    assert document["assertionMethod"] == [signer.id]
    key = did_key_public_key(signer.id)
    assert key.algorithm == CURVES[curve][4] and key.id == signer.id
    key.verify(signer.sign(b"data"), b"data")
    with pytest.raises(InvalidSignature):
        key.verify(signer.sign(b"data"), b"other")


def test_ecdsa_multikeys_resolve_from_methods_and_fragments() -> None:
    signer = ecdsa_signer("P-384")
    value = signer.controller.removeprefix("did:key:")
    url = f"https://issuer.example/keys#{value}"
    assert OFFLINE.resolve(url).algorithm == "ES384"
    method = {"id": url, "type": "Multikey", "controller": "https://issuer.example/keys",
              "publicKeyMultibase": value}
    assert key_from_method(method).jwk() == signer.verification_key.jwk()
    with pytest.raises(ResolutionError):
        OFFLINE.resolve(f"did:key:{value[:-2]}#{value[:-2]}")


@pytest.mark.parametrize("curve", CURVES)
def test_signatures_are_deterministic_p1363(curve: str) -> None:
    signer = ecdsa_signer(curve)
    signature = signer.sign(b"hash data")
    assert signature == signer.sign(b"hash data")
    assert len(signature) == 2 * (32 if curve == "P-256" else 48)
    signer.verification_key.verify(signature, b"hash data")
    with pytest.raises(InvalidSignature):
        signer.verification_key.verify(signature[:-1], b"hash data")


@pytest.mark.parametrize("curve", CURVES)
def test_ecdsa_rdfc_round_trip(crosswalk, curve: str) -> None:
    signer = ecdsa_signer(curve)
    unsigned = unsigned_credential(crosswalk, issuer_id=signer.controller)
    signed = create_proof(unsigned, ECDSA_RDFC_2019, signer)
    proof = signed["proof"]
    assert proof["cryptosuite"] == "ecdsa-rdfc-2019"
    assert len(decode_base58btc(proof["proofValue"])) == (64 if curve == "P-256" else 96)
    report = verify_credential(signed, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.SUCCESS, report.check("proof").message
    assert report.check("issuer").outcome is Outcome.SUCCESS

    tampered = {**signed, "name": signed["name"] + "."}
    assert verify_credential(tampered, resolver=OFFLINE).check("proof").outcome \
        is Outcome.FAILURE


def test_p384_proofs_hash_with_sha384(crosswalk) -> None:
    """A P-384 proof made with SHA-256 hashes (what a P-256-only implementation would do)
    does not verify: the suite takes the hash from the key."""
    signer = ecdsa_signer("P-384")
    unsigned = unsigned_credential(crosswalk, issuer_id=signer.controller)
    signed = create_proof(unsigned, ECDSA_RDFC_2019, signer)
    assert hash_name_for(signer.algorithm) == "sha384"
    config = proof_config_for_verification(unsigned, {**signed["proof"]})
    wrong = hash_data(unsigned, config, hash_name="sha256")
    forged = {**signed, "proof": {**signed["proof"],
                                  "proofValue": encode_base58btc(signer.sign(wrong.data))}}
    report = verify_credential(forged, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE


def test_service_p256_key_signs_ecdsa_rdfc(crosswalk) -> None:
    """The service's ES256 keys (keys.jose) sign ecdsa-rdfc-2019 too."""
    signer = generate("P-256")
    did = did_key(ec_multikey(signer.private_key.public_key()))
    signer = signer.with_id(did_key_verification_method(did), did)
    signed = create_proof(unsigned_credential(crosswalk, issuer_id=did), ECDSA_RDFC_2019, signer)
    assert verify_credential(signed, resolver=OFFLINE).check("proof").outcome is Outcome.SUCCESS


def test_suites_refuse_keys_of_other_types(crosswalk) -> None:
    unsigned = unsigned_credential(crosswalk)
    with pytest.raises(ProofError, match="needs an ES256 or ES384 key"):
        create_proof(unsigned, ECDSA_RDFC_2019, did_key_signer())
    with pytest.raises(ProofError, match="needs an EdDSA key"):
        create_proof(unsigned, EDDSA_RDFC_2022, ecdsa_signer("P-256"))
    with pytest.raises(ProofError, match="verification only"):
        create_proof(unsigned, ECDSA_JCS_2019, ecdsa_signer("P-256"))
    rsa = generate("RSA-2048")
    with pytest.raises(ProofError, match="is RS256"):
        create_proof(unsigned, ECDSA_RDFC_2019, rsa)


def test_ecdsa_proof_under_an_ed25519_key_fails(crosswalk) -> None:
    signer = ecdsa_signer("P-256")
    ed25519 = did_key_signer()
    signed = create_proof(unsigned_credential(crosswalk, issuer_id=signer.controller),
                          ECDSA_RDFC_2019, signer)
    signed["proof"]["verificationMethod"] = ed25519.id
    check = verify_credential(signed, resolver=OFFLINE).check("proof")
    assert check.outcome is Outcome.FAILURE and "needs an ES256 or ES384 key" in check.message


def _jcs_signed(document: dict, proof: dict, signer: JoseSigner) -> dict:
    """A JCS proof made by hand, exactly as vc-di-ecdsa's Create Proof (ecdsa-jcs-2019)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in proof:
        unsecured = {**unsecured, "@context": proof["@context"]}
    hashes = ECDSA_JCS_2019.hash_data(unsecured, proof, hash_name=hash_name_for(signer.algorithm))
    return {**document, "proof": {**proof,
                                  "proofValue": encode_base58btc(signer.sign(hashes.data))}}


JCS_DOCUMENT = {"@context": ["https://www.w3.org/ns/credentials/v2",
                             {"@vocab": "https://vocabulary.example/"}],
                "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
                "credentialSubject": {"id": "did:example:s", "score": 0.5}}


def _jcs_proof(signer: JoseSigner, **extra: object) -> dict:
    return {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-jcs-2019",
            "created": "2026-11-27T10:00:00Z", "verificationMethod": signer.id,
            "proofPurpose": "assertionMethod", **extra}


@pytest.mark.parametrize("curve", CURVES)
def test_jcs_proof_with_its_context(curve: str) -> None:
    signer = ecdsa_signer(curve)
    signed = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer, **{"@context":
                                                             JCS_DOCUMENT["@context"]}), signer)
    ECDSA_JCS_2019.verify_proof(signed, signed["proof"], signer.verification_key)
    check = verify_credential(signed, resolver=OFFLINE).check("proof")
    assert check.outcome is Outcome.SUCCESS, check.message
    altered = {**signed, "credentialSubject": {"id": "did:example:s", "score": 0.25}}
    with pytest.raises(ProofError, match="does not match"):
        ECDSA_JCS_2019.verify_proof(altered, signed["proof"], signer.verification_key)


def test_jcs_proof_without_context_hashes_the_proof_as_it_is() -> None:
    """Nothing is added to a JCS proof configuration: a proof without @context verifies as
    signed, and one whose signer added the document's context does not pass without it."""
    signer = ecdsa_signer("P-256")
    signed = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer), signer)
    ECDSA_JCS_2019.verify_proof(signed, signed["proof"], signer.verification_key)
    with_context = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer, **{
        "@context": JCS_DOCUMENT["@context"]}), signer)
    stripped = {k: v for k, v in with_context["proof"].items() if k != "@context"}
    with pytest.raises(ProofError):
        ECDSA_JCS_2019.verify_proof(with_context, stripped, signer.verification_key)


def test_jcs_document_is_hashed_under_the_proofs_context_prefix() -> None:
    """A proof whose @context is a prefix of the document's: the document is hashed with
    the proof's context (vc-di-ecdsa, Verify Proof (ecdsa-jcs-2019), step 4)."""
    signer = ecdsa_signer("P-384")
    prefix = JCS_DOCUMENT["@context"][:1]
    signed = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer, **{"@context": prefix}), signer)
    ECDSA_JCS_2019.verify_proof(signed, signed["proof"], signer.verification_key)
    other = {**signed, "@context": ["https://www.w3.org/ns/credentials/examples/v2"]}
    with pytest.raises(ProofError, match="@context does not match"):
        ECDSA_JCS_2019.verify_proof(other, signed["proof"], signer.verification_key)


def test_jcs_refuses_bad_created_and_bad_keys() -> None:
    signer = ecdsa_signer("P-256")
    signed = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer, created="yesterday"), signer)
    with pytest.raises(ProofError, match="not a dateTime"):
        ECDSA_JCS_2019.verify_proof(signed, signed["proof"], signer.verification_key)
    good = _jcs_signed(JCS_DOCUMENT, _jcs_proof(signer), signer)
    with pytest.raises(ProofError, match="needs an ES256 or ES384 key"):
        ECDSA_JCS_2019.verify_proof(good, good["proof"], did_key_signer().verification_key)
    not_base58 = {**good["proof"], "proofValue": "u" + base64.urlsafe_b64encode(b"x").decode()}
    with pytest.raises(ProofError, match="base58btc"):
        ECDSA_JCS_2019.verify_proof(good, not_base58, signer.verification_key)


def test_sha384_canonical_forms_agree_between_canonicalizers(crosswalk) -> None:
    """The fast canonicalizer and pyld give the same SHA-384 RDFC-1.0 output, and it differs
    from SHA-256's only in blank node labels."""
    document = unsigned_credential(crosswalk)
    fast = canonicalize(document, hash_name="sha384")
    assert fast == canonicalize_with_pyld(document, hash_name="sha384")
    assert "_:c14n1 " in fast  # enough blank nodes for the labelling to matter

    def unlabelled(nquads: str) -> list[str]:
        return sorted(re.sub(r"_:c14n\d+", "_:", line) for line in nquads.splitlines())

    assert unlabelled(fast) == unlabelled(canonicalize(document))


def test_jwk_keys_of_other_curves_are_refused() -> None:
    with pytest.raises(UnusableKeyError, match="'crv' is 'P-521'; supported: P-256, P-384"):
        JwkVerificationKey({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"})


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("signature", [b"\x00" * 96, b"\xff" * 96, b"\x01" * 95, b""])
def test_malformed_signatures_are_invalid_not_other_errors(curve: str, signature: bytes
                                                          ) -> None:
    """Zero, out-of-range and wrongly sized r || s values raise InvalidSignature (and
    nothing else)."""
    size = 32 if curve == "P-256" else 48
    key = ecdsa_signer(curve).verification_key
    with pytest.raises(InvalidSignature):
        key.verify(signature[: 2 * size] if len(signature) >= 2 * size else signature, b"data")


def _either(canonicalizer, document: dict) -> str:
    try:
        return canonicalizer(document, hash_name="sha384")
    except CanonicalizationError as error:
        return f"refused: {error}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=NODES, evidence=st.lists(NODES, max_size=3),
       context=st.sampled_from([[VC2, OB], [VC2, OB, UNDEFINED_TERMS]]))
def test_sha384_canonicalizers_agree_on_generated_documents(subject: dict, evidence: list,
                                                           context: list) -> None:
    """Blank-node-heavy documents (and ones safe mode refuses): the fast walker with SHA-384
    labelling and pyld with SHA-384 give the same answer, refusals included."""
    document = {"@context": context, "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "credentialSubject": subject, "evidence": evidence}
    fast, reference = _either(canonicalize, document), _either(canonicalize_with_pyld, document)
    assert fast.startswith("refused") == reference.startswith("refused")
    if not fast.startswith("refused"):
        assert fast == reference
