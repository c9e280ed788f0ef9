"""Schema errors in plain words: every message names the field people know and says what to
do, never a regex, a Python repr or jsonschema's own wording."""

from __future__ import annotations

import pytest

from issuer.services.request_schemas import COMPLETION_VALIDATOR, schema_errors

GOOD = {"learner": {"name": "Jordan Rivera", "email": "jordan@example.org"},
        "competency": "model/competency", "level": "developing", "completedOn": "2026-11-02"}


def _with(**changes: object) -> dict:
    body = {**GOOD, **changes}
    return {key: value for key, value in body.items() if value is not None}


CASES = [
    (_with(learner={"name": "", "email": "jordan@example.org"}), "/learner/name",
     "Learner name: this is required"),
    (_with(learner={"name": "   ", "email": "jordan@example.org"}), "/learner/name",
     "Learner name: this is required"),
    (_with(learner={"name": "J", "email": "jordan at example"}), "/learner/email",
     "Learner email: enter an email address like name@example.org"),
    (_with(learner={"name": "J"}), "/learner/email", "Learner email: this is required"),
    (_with(learner={"name": "J" * 201, "email": "j@example.org"}), "/learner/name",
     "Learner name: at most 200 characters (this has 201)"),
    (_with(completedOn="2 Nov 2026"), "/completedOn",
     "Completed on: enter a date like 2026-11-02 (year-month-day)"),
    (_with(completedOn=None), "/completedOn", "Completed on: this is required"),
    (_with(validUntil="soon"), "/validUntil",
     "Valid until: enter a date like 2028-11-02 (year-month-day)"),
    (_with(competency="De-escalation"), "/competency",
     "Competency: choose a competency of the model (its id looks like model/competency)"),
    (_with(format="pdf"), "/format", "Format: choose data-integrity or jwt"),
    (_with(colour="blue"), "/colour", "colour: not a field this request takes"),
    (_with(learner="Jordan"), "/learner",
     "Learner: must be a group of fields (a JSON object)"),
    (_with(evidence=[{"name": "Shift", "narrative": "Calm", "url": "ftp://x"}]),
     "/evidence/0/url", "Evidence link: enter a web address starting with https://"),
    (_with(evidence=[{"name": "Shift"}]), "/evidence/0/narrative",
     "What was observed: this is required"),
    (_with(evidence=[{"name": "E", "narrative": "N"}] * 21), "/evidence",
     "Evidence: at most 20 items"),
]


@pytest.mark.parametrize(("body", "pointer", "message"), CASES)
def test_each_problem_is_said_plainly(body: dict, pointer: str, message: str) -> None:
    errors = schema_errors(COMPLETION_VALIDATOR, body)
    assert {"pointer": pointer, "detail": message} in errors, errors
    for error in errors:
        for raw in ("should be non-empty", "does not match", "is not one of", "'",
                    "required property", "is too long", "^", "\\"):
            assert raw not in error["detail"], error


def test_a_valid_body_has_no_problem() -> None:
    assert schema_errors(COMPLETION_VALIDATOR, GOOD) == []
