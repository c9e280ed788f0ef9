"""OB 3.0 achievements and credentials built from the competency data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from credentials.achievements import build_achievement
from credentials.build import identity_hash
from credentials.verify import verify_credential
from credentials.verify.checks import check_validity_period
from tests.conftest import BASE_URL
from tests.factories import signed_credential, unsigned_credential


@pytest.fixture(scope="module")
def official_schema(standards: Path) -> Draft201909Validator:
    path = standards / "schemas" / "ob_v3p0" / "ob_v3p0_achievementcredential_schema.json"
    return Draft201909Validator(json.loads(path.read_text()))


def _errors(validator: Draft201909Validator, document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_de_escalation_developing_cites_competency_and_statement(crosswalk) -> None:
    credential = unsigned_credential(crosswalk, "de-escalation", "developing")
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "De-escalation"
    assert achievement["description"] == ("Training in how to use various de-escalation "
                                          "techniques when dealing with an agitated patient.")
    competency_alignment = achievement["alignment"][0]
    assert competency_alignment["targetType"] == "CFItem"
    assert competency_alignment["targetUrl"].startswith(f"{BASE_URL}/ims/case/v1p1/CFItems/")
    assert competency_alignment["targetCode"] == \
        "mn-dli-psychiatric-mental-health-technician-inpatient/de-escalation"

    result = credential["credentialSubject"]["result"][0]
    levels = {level["id"]: level
              for level in achievement["resultDescription"][0]["rubricCriterionLevel"]}
    achieved = levels[result["achievedLevel"]]
    assert achieved["name"] == "Developing"
    statement = crosswalk.framework.statement("developing-4")
    assert [e.statement for e in crosswalk.evidence("de-escalation", "developing")] == [statement]
    assert statement.text in achieved["description"]
    assert "© EBSCOed" in achieved["description"]
    alignment = achieved["alignment"][0]
    assert alignment["targetDescription"] == statement.text
    assert alignment["targetCode"] == "developing-4"
    assert alignment["targetType"] == "CFRubricCriterionLevel"
    assert alignment["targetUrl"].startswith(f"{BASE_URL}/ims/case/v1p1/CFRubrics/")
    assert "O*NET v30.2 (CC BY 4.0)" in alignment["targetFramework"]
    assert "© EBSCOed" in alignment["targetFramework"]


def test_achievement_carries_tier_training_mode_and_occupation(crosswalk) -> None:
    achievement = build_achievement(crosswalk, "administer-medication", BASE_URL)
    assert achievement["achievementType"] == "Competency"
    assert "Occupation-Specific Competencies" in achievement["tag"]
    assert "On-the-job training" in achievement["tag"]
    occupation = achievement["alignment"][1]
    assert occupation["targetCode"] == "29-2053.00"
    levels = achievement["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["name"] for level in levels] == ["Emerging", "Developing", "Proficient",
                                                   "Advanced"]
    assert achievement["resultDescription"][0]["resultType"] == "RubricCriterionLevel"


def test_learner_email_is_hashed_with_salt(crosswalk) -> None:
    credential = unsigned_credential(crosswalk)
    email, name = credential["credentialSubject"]["identifier"]
    assert email["hashed"] is True and email["identityType"] == "emailAddress"
    assert email["identityHash"] == identity_hash("jordan.rivera@example.com", email["salt"])
    assert "jordan" not in json.dumps(email).lower()
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                    "identityHash": "Jordan Rivera"}


def test_unknown_level_is_refused(crosswalk) -> None:
    with pytest.raises(ValueError, match="no level 'expert'"):
        unsigned_credential(crosswalk, level="expert")


def test_every_competency_and_level_is_valid_against_the_official_schema(
        crosswalk, official_schema) -> None:
    for competency in crosswalk.model.competencies:
        for level in (known.id for known in crosswalk.framework.levels):
            credential = unsigned_credential(crosswalk, competency.id, level)
            assert _errors(official_schema, credential) == [], (competency.id, level)


def test_signed_credential_is_valid_and_verifies(crosswalk, official_schema) -> None:
    credential = signed_credential(crosswalk)
    assert _errors(official_schema, credential) == []
    report = verify_credential(credential, expected_email="jordan.rivera@EXAMPLE.com")
    assert report.verified, report.as_json()
    assert [c.outcome.value for c in report.checks] == \
        ["success", "success", "success", "success", "skipped", "success", "skipped", "skipped"]


def test_wrong_holder_email_fails_the_subject_check(crosswalk) -> None:
    report = verify_credential(signed_credential(crosswalk), expected_email="someone@else.org")
    assert not report.verified
    assert report.check("subject").outcome.value == "failure"


def test_validity_period_tolerates_a_minute_of_clock_skew(crosswalk) -> None:
    credential = unsigned_credential(crosswalk)  # validFrom 2026-11-03T15:00:00Z
    start = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
    assert check_validity_period(credential, start - dt.timedelta(seconds=59)) \
        .outcome.value == "success"
    assert check_validity_period(credential, start - dt.timedelta(seconds=61)) \
        .outcome.value == "failure"
