"""Cross-checks with Digital Bazaar's independent Data Integrity implementation (npm):
eddsa-rdfc-2022, and ecdsa-rdfc-2019 / ecdsa-jcs-2019 on P-256 and P-384.

Our credentials must verify there, and theirs here. Needs Node.js and ``npm ci`` in
tests/interop (``make test`` does that); in CI a missing bridge is a failure, not a skip.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from credentials.proofs import ECDSA_RDFC_2019, EDDSA_RDFC_2022, create_proof
from credentials.verify import Outcome, verify_credential
from keys import Ed25519Signer
from keys.did import did_key
from keys.ecdsa import SECRET_HEADERS, ec_multikey
from keys.jose import CURVES, JoseSigner
from keys.multibase import decode_base58btc, encode_base58btc
from tests.factories import did_key_signer, signed_credential, unsigned_credential
from tests.test_ecdsa_suites import ecdsa_signer

BRIDGE = Path(__file__).resolve().parent / "interop"


def _missing_packages() -> list[str]:
    """The bridge's npm dependencies not installed in tests/interop/node_modules (an install
    older than package.json lacks the newer ones)."""
    wanted = json.loads((BRIDGE / "package.json").read_text())["dependencies"]
    return [name for name in wanted
            if not (BRIDGE / "node_modules" / name / "package.json").is_file()]


@pytest.fixture(scope="module")
def node():
    missing = [] if shutil.which("node") else ["Node.js"]
    missing += _missing_packages()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"interop bridge missing {', '.join(missing)}: run `make interop`")
        pytest.skip(f"interop bridge missing {', '.join(missing)} (run `make interop`)")

    def call(request: dict) -> dict:
        result = subprocess.run(["node", str(BRIDGE / "dataintegrity.mjs")],
                                input=json.dumps(request), capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return call


@pytest.mark.interop
def test_our_credential_verifies_in_the_other_implementation(node, crosswalk) -> None:
    credential = signed_credential(crosswalk)
    assert node({"action": "verify", "credential": credential}) == {"verified": True,
                                                                     "error": ""}
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["result"][0]["achievedLevel"] = \
        tampered["credentialSubject"]["result"][0]["achievedLevel"].replace("developing",
                                                                            "advanced")
    assert node({"action": "verify", "credential": tampered})["verified"] is False


@pytest.mark.interop
def test_their_credential_verifies_in_ours(node, crosswalk) -> None:
    seed = bytes.fromhex("5a" * 32)
    did = did_key(Ed25519Signer.from_seed(seed).verification_key)
    unsigned = unsigned_credential(crosswalk, "administer-medication", "proficient",
                                   issuer_id=did)
    answer = node({"action": "issue", "credential": unsigned, "seed": seed.hex(),
                   "created": "2026-11-03T15:00:00Z"})
    assert answer["vm"].startswith(did)
    signed = answer["credential"]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = verify_credential(signed)
    assert report.verified, report.as_json()
    signed["credentialSubject"]["activityEndDate"] = "2026-11-01T00:00:00Z"
    assert not verify_credential(signed).verified


def _tamper(credential: dict) -> dict:
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["activityEndDate"] = "2026-11-01T00:00:00Z"
    return tampered


@pytest.mark.interop
@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_our_ecdsa_credential_verifies_in_the_other_implementation(node, crosswalk,
                                                                   curve: str) -> None:
    signer = ecdsa_signer(curve)
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=signer.controller),
                              ECDSA_RDFC_2019, signer, created="2026-11-03T15:00:00Z")
    signature = decode_base58btc(credential["proof"]["proofValue"])
    assert len(signature) == 2 * CURVES[curve].size
    assert node({"action": "verify", "credential": credential}) == {"verified": True,
                                                                     "error": ""}
    assert node({"action": "verify", "credential": _tamper(credential)}) == {
        "verified": False, "error": "Invalid signature."}


def _signed_by_them(node, credential: dict, cryptosuite: str, signer: JoseSigner) -> dict:
    """``credential`` signed by Digital Bazaar with ``signer``'s key, handed over as the
    Multikey pair their ecdsa-multikey reads (our multicodec headers, their decoding)."""
    curve = CURVES[signer.verification_key.jwk()["crv"]]
    scalar = signer.private_key.private_numbers().private_value
    answer = node({"action": "issue", "credential": credential, "cryptosuite": cryptosuite,
                   "publicKeyMultibase": ec_multikey(signer.private_key.public_key()),
                   "secretKeyMultibase": encode_base58btc(SECRET_HEADERS[curve.name]
                                                          + scalar.to_bytes(curve.size, "big")),
                   "created": "2026-11-03T15:00:00Z"})
    assert answer["vm"] == signer.id
    assert answer["credential"]["proof"]["cryptosuite"] == cryptosuite
    return answer["credential"]


@pytest.mark.interop
@pytest.mark.parametrize("cryptosuite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
@pytest.mark.parametrize("curve", ["P-256", "P-384"])
def test_their_ecdsa_credential_verifies_in_ours(node, crosswalk, cryptosuite: str,
                                                 curve: str) -> None:
    signer = ecdsa_signer(curve, secret=0xC0FFEE)
    unsigned = unsigned_credential(crosswalk, "administer-medication", "proficient",
                                   issuer_id=signer.controller)
    signed = _signed_by_them(node, unsigned, cryptosuite, signer)
    report = verify_credential(signed)
    assert report.verified, report.as_json()
    assert verify_credential(_tamper(signed)).check("proof").outcome is Outcome.FAILURE


@pytest.mark.interop
@pytest.mark.parametrize("cryptosuite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
def test_their_ecdsa_vcdm_1_1_credential_verifies_in_ours(node, cryptosuite: str) -> None:
    """An OB 3.0.0 (VCDM 1.1) credential: their signer appends the data-integrity context
    the v1 context lacks (and ecdsa-jcs-2019 copies the whole list into the proof)."""
    signer = ecdsa_signer("P-256", secret=0xC0FFEE)
    unsigned = {
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context.json"],
        "id": "urn:uuid:3c5e9d0a-7f1b-4e62-8a43-2b9d6c1e0f57",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": signer.controller, "type": "Profile", "name": "Riverbend"},
        "issuanceDate": "2026-01-05T09:00:00Z", "name": "Medication administration",
        "credentialSubject": {"type": "AchievementSubject", "achievement": {
            "id": "urn:uuid:0b4f7a62-9e3d-4c18-b5a0-6d2e8f1c9a73", "type": "Achievement",
            "name": "Medication administration", "description": "Gives medication safely.",
            "criteria": {"narrative": "Observed on three shifts."}}},
    }
    signed = _signed_by_them(node, unsigned, cryptosuite, signer)
    assert signed["@context"][-1] == "https://w3id.org/security/data-integrity/v2"
    report = verify_credential(signed)
    assert report.verified, report.as_json()
    signed["credentialSubject"]["achievement"]["name"] = "Medication prescribing"
    assert verify_credential(signed).check("proof").outcome is Outcome.FAILURE


# creditsAvailable is an xsd:float: an integral number is written "3", any other in the
# canonical xsd:double form ("2.5E-5"); JCS writes numbers as ECMAScript does ("1e+21").
# (Not below 1e-6 on RDFC: jsonld.js 9 writes 1e-7 as "0", JSON-LD 1.1 as "1.0E-7".)
@pytest.mark.interop
@pytest.mark.parametrize("credits", [3, 1.5, 0.1, 2.5e-5, 1e21])
def test_numbers_canonicalize_alike_in_both_implementations(node, crosswalk,
                                                            credits: float) -> None:
    signer = ecdsa_signer("P-384", secret=0xC0FFEE)
    unsigned = unsigned_credential(crosswalk, issuer_id=signer.controller)
    unsigned["credentialSubject"]["achievement"]["creditsAvailable"] = credits
    ours = create_proof(unsigned, ECDSA_RDFC_2019, signer)
    assert node({"action": "verify", "credential": ours}) == {"verified": True, "error": ""}
    for cryptosuite in ("ecdsa-rdfc-2019", "ecdsa-jcs-2019"):
        report = verify_credential(_signed_by_them(node, unsigned, cryptosuite, signer))
        assert report.verified, (cryptosuite, report.errors)


@pytest.mark.interop
def test_our_mixed_proof_chain_verifies_in_the_other_implementation(node, crosswalk) -> None:
    """An eddsa-rdfc-2022 proof, then a P-384 ecdsa-rdfc-2019 proof chained to it (VC Data
    Integrity 4.4): the second signs over the first. Without the first, neither verifies."""
    first, second = did_key_signer(), ecdsa_signer("P-384")
    unsigned = unsigned_credential(crosswalk, issuer_id=first.controller)
    once = create_proof(unsigned, EDDSA_RDFC_2022, first, proof_id="urn:uuid:p1",
                        created="2026-11-03T15:00:00Z")
    chained = create_proof(once, ECDSA_RDFC_2019, second, proof_id="urn:uuid:p2",
                           previous_proof="urn:uuid:p1", created="2026-11-03T15:01:00Z")
    assert verify_credential(chained).verified
    assert node({"action": "verify", "credential": chained}) == {"verified": True, "error": ""}
    orphan = {**chained, "proof": [chained["proof"][1]]}
    assert not verify_credential(orphan).verified
    assert node({"action": "verify", "credential": orphan})["verified"] is False
