"""A hashed identifier is public: anyone holding a credential can copy it. A record that
copies one beside an email or id of its own is not about the held credential's subject, and
an expected email must be every held credential's, not only the record's own subject's."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from credentials.build import email_identity, name_identity
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify import Standing, verify_credential
from credentials.verify.cli import main
from credentials.verify.subjects import Tie, subject_tie
from tests.factories import did_key_signer, whole_record
from tests.test_untied_parts import plain, subject

SALT = "7b1c4e0a9d3f2e61"
JORDAN, MALLORY = "jordan.rivera@example.com", "mallory@evil.example"


@pytest.mark.parametrize("record, held", [
    # Jordan's hashed email copied verbatim, beside Mallory's plain one.
    (subject(email_identity(JORDAN, SALT), plain("emailAddress", MALLORY)),
     subject(email_identity(JORDAN, SALT))),
    # The same email, but another id of the same kind.
    (subject(plain("emailAddress", JORDAN), id_="did:example:mallory"),
     subject(plain("emailAddress", JORDAN), id_="did:example:jordan")),
    # The same id, but a hashed email of the same salt that differs.
    (subject(email_identity(MALLORY, SALT), id_="did:example:jordan"),
     subject(email_identity(JORDAN, SALT), id_="did:example:jordan")),
])
def test_one_differing_identifier_of_a_kind_is_a_conflict_even_beside_a_match(record, held
                                                                            ) -> None:
    assert subject_tie(record, held).tie is Tie.CONFLICT


def test_identifiers_of_other_kinds_and_names_still_do_not_conflict() -> None:
    """A DID beside a UUID URN, another salt, or a differently written name: not compared,
    or (names) outweighed by a matching email."""
    record = subject(email_identity(JORDAN, SALT), email_identity(JORDAN, "00"),
                     name_identity("J. Rivera"), id_="urn:uuid:360a0e1e-c3f4-4fc4-9975-3798899")
    held = subject(email_identity(JORDAN, SALT), name_identity("Jordan Rivera"),
                   id_="did:example:jordan")
    assert subject_tie(record, held).tie is Tie.TIED


def forged_record(crosswalk) -> dict:
    """Mallory's record, signed by Mallory's key, around Jordan's genuine credential, its
    subject carrying Jordan's hashed email copied from that credential."""
    record, embedded = whole_record(crosswalk)
    held = embedded[0]
    record["credentialSubject"]["verifiableCredential"] = [held]
    record["credentialSubject"]["identifier"] = [
        *copy.deepcopy([i for i in held["credentialSubject"]["identifier"]
                        if i["identityType"] == "emailAddress"]),
        plain("emailAddress", MALLORY), plain("name", "Mallory Forger")]
    return create_proof(record, EDDSA_RDFC_2022, did_key_signer())


def test_a_record_replaying_the_held_hashed_email_beside_its_own_fails(crosswalk) -> None:
    report = verify_credential(forged_record(crosswalk))
    check = report.check("embedded_credentials")
    assert check.outcome.value == "failure" and not report.verified, report.as_json()
    assert "their emailAddress differs" in check.message
    assert report.standing is not Standing.VERIFIED


def test_an_expected_email_must_be_every_held_credentials(crosswalk) -> None:
    """The record's own subject is Mallory's plain email, which nothing compares with the
    hashed emails (other salts) of Jordan's credentials: the tie is only a warning, but the
    record is not Mallory's credentials, so Mallory's email must not pass."""
    record, embedded = whole_record(crosswalk)
    record["credentialSubject"]["verifiableCredential"] = embedded[:2]
    record["credentialSubject"]["identifier"] = [plain("emailAddress", MALLORY)]
    signed = create_proof(record, EDDSA_RDFC_2022, did_key_signer())
    check = verify_credential(signed, expected_email=MALLORY).check("subject")
    assert check.outcome.value == "failure"
    assert "2 of the credentials this record holds were not issued to the expected email " \
        "address" in check.message
    assert embedded[0]["id"] in check.message


def test_our_own_record_matches_the_learners_email_in_every_held_credential(crosswalk
                                                                           ) -> None:
    record, _ = whole_record(crosswalk)
    report = verify_credential(create_proof(record, EDDSA_RDFC_2022, did_key_signer()),
                               expected_email="Jordan.Rivera@example.com")
    assert report.standing is Standing.VERIFIED, report.as_json()
    assert report.check("subject").message == "the subject's hashed email matches"


def test_cli_email_fails_a_record_whose_held_credentials_are_someone_elses(crosswalk,
                                                                          tmp_path) -> None:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged_record(crosswalk)))
    result = CliRunner().invoke(main, ["verify", "--email", MALLORY, str(path)])
    assert result.exit_code == 1, result.output
    assert "the subject's email matches" not in result.output
