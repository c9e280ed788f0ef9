"""What issuing and verifying cost the store in status lists: an issuance claims its position
without counting the list's entries, and a verification reads a list's bits once per version
of the list, yet sees every change at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from issuer.store import store
from tests.service.conftest import completion_body
from tests.service.test_learner_records import COMPETENCIES, EMAIL, complete

URL = "/api/v1/issuers/riverbend"


@contextmanager
def statements(service) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block, lower-cased."""
    seen: list[str] = []
    engine = store(service.app).engine

    def remember(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def issue(service) -> dict:
    response = service.client.post(f"{URL}/completions", json=completion_body(),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def verify(service, credential: dict) -> dict:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    report = response.get_json()
    return next(c for c in report["checks"] if c["check"] == "status")


def test_an_issuance_on_a_roomy_list_counts_no_entries(service) -> None:
    issue(service)  # opens the list
    with statements(service) as seen:
        issue(service)
    claims = [s for s in seen if "status_entries" in s]
    assert claims and all(s.startswith("insert") for s in claims), claims


def test_a_list_is_read_once_per_version_and_changes_are_seen_at_once(service) -> None:
    first, second = issue(service), issue(service)
    assert verify(service, first["credential"])["outcome"] == "success"
    with statements(service) as seen:
        assert verify(service, second["credential"])["outcome"] == "success"
    assert not [s for s in seen if "status_entries" in s], seen
    revoked = service.client.post(f"{URL}/credentials/{first['credentialId']}/revoke",
                                  json={"reason": "issued in error"},
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    assert verify(service, first["credential"])["message"].startswith("revoked")
    assert verify(service, second["credential"])["outcome"] == "success"


def test_a_records_credentials_cost_no_lookups_each(service) -> None:
    """Keys, issuers and lists are looked up once per verification, however many of the
    record's credentials name them."""
    for competency in COMPETENCIES:
        complete(service, competency)
    response = service.client.post(f"{URL}/learners/clr", json={"email": EMAIL},
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    clr = response.get_json()["credential"]
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert len(embedded) >= 3
    with statements(service) as seen:
        answer = service.client.post("/credentials/verify", json={"verifiableCredential": clr})
    assert answer.status_code == 200, answer.get_json()
    assert len(seen) < len(embedded) + 6, seen
