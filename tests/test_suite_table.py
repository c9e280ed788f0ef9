"""Cryptosuites as data: one table, one lookup, one set of checks every suite's proofs pass."""

from __future__ import annotations

import base64

import pytest

from credentials.proofs import (
    ECDSA_RDFC_2019,
    ECDSA_SD_2023,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SUITES,
    ProofError,
    suite_for,
)
from keys.multibase import encode_base58btc
from tests.factories import did_key_signer

JCS_DOCUMENT = {"@context": ["https://www.w3.org/ns/credentials/v2",
                             {"@vocab": "https://vocabulary.example/"}],
                "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
                "credentialSubject": {"id": "did:example:s", "score": 0.5}}


def test_every_suite_is_found_by_the_names_its_proofs_carry() -> None:
    assert len({(s.proof_type, s.name) for s in SUITES}) == len(SUITES)
    for suite in SUITES:
        proof = {"type": suite.proof_type}
        if suite.name:
            proof["cryptosuite"] = suite.name
        assert suite_for(proof) is suite
    with pytest.raises(ProofError, match="unsupported"):
        suite_for({"type": "DataIntegrityProof", "cryptosuite": ["eddsa-rdfc-2022"]})


def test_only_the_rdfc_suites_sign() -> None:
    """The others are recognised and checked, never made (``verify_only``)."""
    assert [s for s in SUITES if not s.verify_only] == [EDDSA_RDFC_2022, ECDSA_RDFC_2019]


def _eddsa_jcs_signed(created: str) -> dict:
    """An eddsa-jcs-2022 proof made by hand (vc-di-eddsa, Create Proof (eddsa-jcs-2022))."""
    signer = did_key_signer()
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": created,
             "verificationMethod": signer.id, "proofPurpose": "assertionMethod"}
    hashes = EDDSA_JCS_2022.hash_data(JCS_DOCUMENT,
                                      {**proof, "@context": JCS_DOCUMENT["@context"]})
    return {**JCS_DOCUMENT,
            "proof": {**proof, "proofValue": encode_base58btc(signer.sign(hashes.data))}}


def test_every_suite_refuses_a_created_that_is_no_datetime() -> None:
    """The generic checks run for every suite: eddsa-jcs-2022 too (VC Data Integrity: a
    ``created`` is a dateTimeStamp)."""
    key = did_key_signer().verification_key
    good = _eddsa_jcs_signed("2026-11-27T10:00:00Z")
    EDDSA_JCS_2022.verify_proof(good, good["proof"], key)
    bad = _eddsa_jcs_signed("yesterday")
    with pytest.raises(ProofError, match="not a dateTime"):
        EDDSA_JCS_2022.verify_proof(bad, bad["proof"], key)


def test_selective_disclosure_refuses_another_key_type_by_the_common_check() -> None:
    derived = "u" + base64.urlsafe_b64encode(bytes([0xD9, 0x5D, 0x01])).decode()
    proof = {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023",
             "verificationMethod": did_key_signer().id, "proofPurpose": "assertionMethod",
             "proofValue": derived}
    with pytest.raises(ProofError, match=r"ecdsa-sd-2023 needs an ES256 key; .* is EdDSA"):
        ECDSA_SD_2023.verify_proof({**JCS_DOCUMENT, "proof": proof}, proof,
                                   did_key_signer().verification_key)


def test_a_suite_checks_only_proofs_that_name_it() -> None:
    signed = _eddsa_jcs_signed("2026-11-27T10:00:00Z")
    with pytest.raises(ProofError, match="does not match the suite"):
        EDDSA_RDFC_2022.verify_proof(signed, signed["proof"], did_key_signer().verification_key)
