"""What a signature does not say: that an endorsement's key is its endorser's, or that the
credentials a CLR holds are about the CLR's subject. Either untied keeps the report from
"every check passed"; a held credential about someone else fails."""

from __future__ import annotations

import copy

import pytest

from credentials.build import email_identity, identity_hash, name_identity
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify import Standing, verify_credential
from credentials.verify.subjects import Tie, subject_tie
from issuer.services.share import status_line
from tests.factories import did_key_signer, unsigned_credential, whole_record

SALT, OTHER_SALT = "7b1c4e0a9d3f2e61", "00aa"
EMAIL = "jordan.rivera@example.com"


def plain(kind: str, value: str) -> dict:
    return {"type": "IdentityObject", "identityType": kind, "hashed": False,
            "identityHash": value}


def subject(*identities: dict, id_: str | None = None) -> dict:
    found: dict = {"identifier": list(identities)}
    if id_:
        found["id"] = id_
    return found


@pytest.mark.parametrize("record, held, tie", [
    (subject(id_="did:example:jordan"), subject(id_="did:example:jordan"), Tie.TIED),
    (subject(id_="did:example:jordan"), subject(id_="did:example:mallory"), Tie.CONFLICT),
    # A DID and a UUID URN can both be the learner's: not comparable.
    (subject(id_="urn:uuid:360a0e1e-c3f4-4fc4-9975-379889927d54"),
     subject(id_="did:example:ebfeb1f712ebc6f1c276e12ec21"), Tie.UNTIED),
    (subject(plain("emailAddress", "Jordan.Rivera@Example.com")),
     subject(plain("emailAddress", EMAIL)), Tie.TIED),
    (subject(plain("emailAddress", EMAIL)), subject(email_identity(EMAIL, SALT)), Tie.TIED),
    (subject(email_identity(EMAIL, SALT)), subject(email_identity(EMAIL, SALT)), Tie.TIED),
    (subject(email_identity("mallory@example.com", SALT)), subject(email_identity(EMAIL, SALT)),
     Tie.CONFLICT),
    (subject(email_identity(EMAIL, OTHER_SALT)), subject(email_identity(EMAIL, SALT)),
     Tie.UNTIED),
    (subject(name_identity("Jordan  rivera")), subject(name_identity("Jordan Rivera")),
     Tie.TIED),
    (subject(name_identity("Mallory Forger")), subject(name_identity("Jordan Rivera")),
     Tie.CONFLICT),
    # Any identifier but a name decides first: a name written differently does not undo a
    # matching email, and a matching name does not undo a different email.
    (subject(email_identity(EMAIL, SALT), name_identity("J. Rivera")),
     subject(email_identity(EMAIL, SALT), name_identity("Jordan Rivera")), Tie.TIED),
    (subject(email_identity("mallory@example.com", SALT), name_identity("Jordan Rivera")),
     subject(email_identity(EMAIL, SALT), name_identity("Jordan Rivera")), Tie.CONFLICT),
    (subject(email_identity(EMAIL, OTHER_SALT), name_identity("Mallory Forger")),
     subject(email_identity(EMAIL, SALT), name_identity("Jordan Rivera")), Tie.CONFLICT),
    (subject(plain("studentId", "42")), subject(name_identity("Jordan Rivera")), Tie.UNTIED),
    ({}, subject(name_identity("Jordan Rivera")), Tie.UNTIED),
])
def test_subjects_are_compared_where_they_can_be(record, held, tie) -> None:
    assert subject_tie(record, held).tie is tie


def test_a_hashed_identifier_is_compared_with_the_plain_value_hashed_with_its_salt() -> None:
    hashed = {"type": "IdentityObject", "identityType": "studentId", "hashed": True,
              "identityHash": identity_hash("S-42", "pepper"), "salt": "pepper"}
    assert subject_tie(subject(plain("studentId", "S-42")), subject(hashed)).tie is Tie.TIED
    assert subject_tie(subject(plain("studentId", "S-43")), subject(hashed)).tie is \
        Tie.CONFLICT


def endorsement(signer, issuer_id: str) -> dict:
    return create_proof({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:cccccccc-3333-4333-8333-333333333333",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed by the state board",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": "State board"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://credentials.example.org/achievements/x",
                              "type": ["EndorsementSubject"],
                              "endorsementComment": "Accredited."}},
        EDDSA_RDFC_2022, signer)


def test_an_endorsement_nobody_ties_to_its_endorser_is_not_every_check_passed(crosswalk
                                                                              ) -> None:
    signer = did_key_signer()
    board = "https://board-of-nursing.state.example/issuer"
    unsigned = unsigned_credential(crosswalk)
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [endorsement(signer, board)]
    report = verify_credential(create_proof(unsigned, EDDSA_RDFC_2022, signer))
    assert report.verified and report.issuer_bound  # the credential itself is its issuer's
    assert report.check("endorsements").detail["bound"] is False
    assert report.standing is Standing.UNBOUND
    assert report.verdict == ("Verified, but nothing ties the key of an endorsement to the "
                              f"endorser it names ({board}).")
    line, tone = status_line(report, "Riverbend")
    assert tone == "warn" and line.endswith("Treat that part as unconfirmed.")
    # Signed by its endorser's own key, it is tied, and the report is whole again.
    unsigned["credentialSubject"]["achievement"]["endorsement"] = [
        endorsement(signer, signer.controller)]
    report = verify_credential(create_proof(unsigned, EDDSA_RDFC_2022, signer))
    assert report.standing is Standing.VERIFIED
    assert report.verdict == "Verified: every check passed."


def test_a_record_about_someone_else_fails_naming_the_credential(crosswalk) -> None:
    """A record naming Mallory around Jordan's genuine credential: the names can be compared
    (the email hashes cannot: other salts), and differ."""
    record, embedded = whole_record(crosswalk)
    record["credentialSubject"]["verifiableCredential"] = embedded[:2]
    record["credentialSubject"]["identifier"] = [email_identity("mallory@example.com", "01"),
                                                 name_identity("Mallory Forger")]
    signer = did_key_signer()
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, signer))
    check = report.check("embedded_credentials")
    assert check.outcome.value == "failure" and not report.verified
    assert "2 of 2 embedded credentials are about someone other than this record's " \
        "subject" in check.message
    assert embedded[0]["id"] in check.message and "their name differs" in check.message
    assert report.verdict == ("Not verified: a credential inside it is about someone other "
                              "than this record's subject.")


def test_a_record_whose_subject_nothing_ties_is_not_every_check_passed(crosswalk) -> None:
    record, embedded = whole_record(crosswalk)
    record["credentialSubject"]["verifiableCredential"] = embedded[:1]
    record["credentialSubject"]["identifier"] = [plain("sisSourcedId", "S-42")]
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, did_key_signer()))
    check = report.check("embedded_credentials")
    assert report.verified and check.outcome.value == "warning"
    assert check.detail["subjectsTied"] is False
    assert report.standing is Standing.UNBOUND
    assert report.verdict == (f"Verified, but nothing ties the subject of the credential "
                              f"{embedded[0]['id']} inside it to this record's subject.")


def test_our_records_tie_every_held_credential_by_its_own_salt(crosswalk) -> None:
    """The record carries the email hashed with each held credential's salt, so even a
    credential issued under another spelling of the learner's name stays tied."""
    record, _ = whole_record(crosswalk)
    salts = [i["salt"] for i in record["credentialSubject"]["identifier"]
             if i["identityType"] == "emailAddress"]
    assert salts == ["00", SALT]
    renamed = copy.deepcopy(record)
    renamed["credentialSubject"]["identifier"][-1]["identityHash"] = "Jordan Rivera-Lopez"
    report = verify_credential(create_proof(renamed, EDDSA_RDFC_2022, did_key_signer()))
    assert report.standing is Standing.VERIFIED, report.as_json()
