"""The issuer check and the report's ``issuerBound`` / ``verdict``, in the library."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.proofs.jwt import registered_claims
from credentials.verify import Check, Outcome, Standing, VerificationReport, verify_credential
from credentials.verify.checks import check_embedded
from credentials.verify.proof_check import key_thumbprint
from issuer.services.share import status_line
from keys import Ed25519Signer
from keys.signer import Verifier
from tests.factories import did_key_signer, unsigned_credential, whole_record

OURS = "https://credentials.example.org/issuers/"


class OneIssuerDirectory:
    """Governs identifiers under OURS; only ``allowed`` (a thumbprint) may sign for them."""

    def __init__(self, allowed: str) -> None:
        self.allowed = allowed
        self.asked: list[datetime | None] = []

    def governs(self, issuer: str) -> bool:
        return issuer.startswith(OURS)

    def refuse_key(self, issuer: str, key: Verifier, signed_at: datetime | None) -> str | None:
        self.asked.append(signed_at)
        return None if key_thumbprint(key) == self.allowed else f"is not a key of {issuer}"


def _jwt_with_header_key(credential: dict, signer: Ed25519Signer) -> str:
    def b64(value: dict) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    header = {"alg": "EdDSA", "typ": "JWT", "jwk": signer.verification_key.jwk()}
    signing_input = f"{b64(header)}.{b64({**credential, **registered_claims(credential)})}"
    signature = base64.urlsafe_b64encode(signer.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


def test_a_did_key_issuer_is_bound_by_its_own_key(crosswalk) -> None:
    report = verify_credential(create_proof(unsigned_credential(crosswalk), EDDSA_RDFC_2022,
                                            did_key_signer()))
    assert report.verified and report.issuer_bound
    assert report.verdict == "Verified: every check passed."
    assert report.as_json()["issuerBound"] is True


def test_a_jwt_header_key_binds_only_the_did_key_it_is(crosswalk) -> None:
    signer = did_key_signer()
    own = verify_credential(_jwt_with_header_key(unsigned_credential(crosswalk), signer))
    assert own.verified and own.issuer_bound, own.errors
    other = unsigned_credential(crosswalk, issuer_id="https://other.example/i")
    report = verify_credential(_jwt_with_header_key(other, signer))
    assert report.verified and not report.issuer_bound
    assert report.check("issuer").message.startswith(
        "the signature is valid, but nothing ties the key (the key in the JWT header "
        "(thumbprint ")
    assert report.as_json()["verdict"] == ("The signature is valid, but nothing ties the key "
                                           "to https://other.example/i.")


def test_a_governed_issuer_is_decided_by_the_directory_alone(crosswalk) -> None:
    signer = did_key_signer()
    directory = OneIssuerDirectory(allowed=key_thumbprint(signer.verification_key))
    credential = create_proof(unsigned_credential(crosswalk, issuer_id=OURS + "a"),
                              EDDSA_RDFC_2022, signer, created="2026-11-03T15:00:00Z")
    report = verify_credential(credential, issuers=directory)
    assert report.verified and report.issuer_bound
    assert directory.asked == [datetime.fromisoformat("2026-11-03T15:00:00+00:00")]
    # Without the directory the same credential is only self-asserted.
    assert not verify_credential(credential).issuer_bound
    forged = create_proof(unsigned_credential(crosswalk, issuer_id=OURS + "a"),
                          EDDSA_RDFC_2022, did_key_signer(bytes(32)))
    report = verify_credential(forged, issuers=OneIssuerDirectory(allowed="nobody"))
    assert not report.verified and not report.issuer_bound
    check = report.check("issuer")
    assert check.outcome is Outcome.FAILURE and check.detail["bound"] is False
    assert check.message == (f"signed by {forged['proof']['verificationMethod']}, which is "
                             f"not a key of {OURS}a")


def test_an_embedded_credential_with_a_self_asserted_key_unbinds_the_record(crosswalk
                                                                           ) -> None:
    record, _embedded = whole_record(crosswalk)
    signer = did_key_signer()
    bound = verify_credential(create_proof(record, EDDSA_RDFC_2022, signer))
    assert bound.verified and bound.issuer_bound, bound.errors
    stranger = create_proof(unsigned_credential(crosswalk, issuer_id="https://other.example/i"),
                            EDDSA_RDFC_2022, signer)
    record["credentialSubject"]["verifiableCredential"][0] = stranger
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, signer))
    assert report.verified and not report.issuer_bound
    assert report.check("embedded_credentials").detail["bound"] is False
    assert "nothing ties the key of 1 of them" in report.check("embedded_credentials").message
    assert report.verdict.startswith("The signatures are valid, but nothing ties the key of "
                                     "an embedded credential")


def test_the_share_line_never_says_verified_for_an_unbound_key() -> None:
    checks = (Check("proof", Outcome.SUCCESS, "valid"),
              Check("issuer", Outcome.WARNING, "self-asserted",
                    {"issuer": "https://other.example/i", "bound": False}),
              Check("status", Outcome.SUCCESS, "not revoked"))
    line, css = status_line(VerificationReport(checks), "Other")
    assert css == "warn" and not line.startswith("Verified")
    assert "nothing ties the key to https://other.example/i" in line


def test_the_verdict_is_the_reports_everywhere() -> None:
    """The page and the share line render the report's standing and reason; a failure's
    reason is the same plain sentence in the API's verdict."""
    checks = (Check("proof", Outcome.SUCCESS, "valid"),
              Check("issuer", Outcome.FAILURE, "signed by did:key:z6Mk..., which is not a key",
                    {"issuer": "https://ours.example/issuers/a", "bound": False}),
              Check("status", Outcome.FAILURE, "revoked: listed",
                    {"entries": [{"status": "revoked"}]}))
    report = VerificationReport(checks)
    assert report.standing is Standing.FAILED  # a forgery first, whatever its status says
    assert report.verdict == "Not verified: it was not signed by a key of the issuer it names."
    line, css = status_line(report, "Ours")
    assert line == ("This credential does not verify: it was not signed by a key of the "
                    "issuer it names.") and css == "bad"
    revoked = VerificationReport((checks[0], Check("issuer", Outcome.SUCCESS, "ours",
                                                   {"bound": True}), checks[2]))
    assert revoked.standing is Standing.REVOKED and revoked.issuer_bound
    assert status_line(revoked, "Ours") == (
        "This credential has been revoked by Ours. Do not rely on it.", "bad")
    assert revoked.as_json()["standing"] == "revoked"


def test_an_embedded_credential_is_judged_like_an_endorsement(crosswalk) -> None:
    """Unbound without any other warning still makes the embedded check a warning (as an
    unbound endorsement does), and an embedded credential that fails for another reason
    (expired) but was signed by its issuer's key leaves the record issuer-bound."""
    record, _ = whole_record(crosswalk)
    unbound = VerificationReport((Check("issuer", Outcome.SUCCESS, "signed",
                                        {"bound": False}),))
    check = check_embedded(record, lambda _item: unbound)
    assert check.outcome is Outcome.WARNING and check.detail["bound"] is False
    signer = did_key_signer()
    expired = unsigned_credential(crosswalk)
    expired["validUntil"] = "2020-01-01T00:00:00Z"
    expired["validFrom"] = "2019-01-01T00:00:00Z"
    record["credentialSubject"]["verifiableCredential"][0] = create_proof(
        expired, EDDSA_RDFC_2022, signer)
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, signer))
    assert not report.verified and report.issuer_bound
    assert report.check("embedded_credentials").detail["bound"] is True
    assert report.standing is Standing.FAILED
    assert report.verdict == "Not verified: a credential inside it did not verify."
