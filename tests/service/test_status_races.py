"""Status changes racing each other on the real store (SQLite, or PostgreSQL with
TEST_STORE=postgresql): each change is one conditional update, so exactly one revoke wins,
revocation stays final, the bits agree with the stored state and each change is audited once."""

from __future__ import annotations

import threading

from sqlalchemy import select

from issuer.services.issuers import update_issuer
from issuer.store import store
from issuer.store.models import AuditEvent, Credential, StatusEntry, StatusList
from tests.service.conftest import completion_body

URL = "/api/v1/issuers/riverbend"
TRIALS = 8
FINAL = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}


def issue(service) -> str:
    response = service.client.post(f"{URL}/completions", json=completion_body(),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credentialId"]


def race(service, credential_id: str, actions: list[str]) -> list[int]:
    """Send every action at once, each from its own thread and client; their statuses."""
    barrier = threading.Barrier(len(actions))
    statuses: list[int] = [0] * len(actions)

    def send(index: int, action: str) -> None:
        client = service.app.test_client()
        barrier.wait()
        response = client.post(f"{URL}/credentials/{credential_id}/{action}",
                               json={"reason": f"{action} {index}"},
                               headers=service.auth(service.admin))
        assert response.status_code in (200, 409), response.get_json()
        statuses[index] = response.status_code

    threads = [threading.Thread(target=send, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def stored(service, credential_id: str) -> tuple[str, dict[str, bool], list[str]]:
    """(stored status, bit per purpose, audited status changes in order)."""
    with store(service.app).sessions() as db:
        status = db.scalar(select(Credential.status).where(Credential.id == credential_id))
        bits = dict(db.execute(select(StatusList.purpose, StatusEntry.is_set)
                               .join(StatusList, StatusList.id == StatusEntry.status_list_id)
                               .where(StatusEntry.credential_id == credential_id)).all())
        events = db.scalars(select(AuditEvent.action)
                            .where(AuditEvent.subject == f"credential:{credential_id}",
                                   AuditEvent.action != "credential.issue")
                            .order_by(AuditEvent.id)).all()
    return status, bits, [event.removeprefix("credential.") for event in events]


def assert_consistent(status: str, bits: dict[str, bool]) -> None:
    assert bits["revocation"] == (status == "revoked")
    assert bits.get("suspension", False) == (status == "suspended")


def test_two_concurrent_revokes_one_wins_one_audit_event(service) -> None:
    for _ in range(TRIALS):
        credential_id = issue(service)
        assert sorted(race(service, credential_id, ["revoke", "revoke"])) == [200, 409]
        status, bits, events = stored(service, credential_id)
        assert (status, events) == ("revoked", ["revoke"])
        assert_consistent(status, bits)


def test_concurrent_revoke_and_suspend_leave_a_consistent_final_revocation(service) -> None:
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    for _ in range(TRIALS):
        credential_id = issue(service)
        answers = race(service, credential_id, ["revoke", "suspend"])
        status, bits, events = stored(service, credential_id)
        # A revoke never loses to a suspension; whatever won is audited once, in order.
        assert answers[0] == 200 and status == "revoked"
        assert events in (["revoke"], ["suspend", "revoke"])
        assert sorted(answers) == ([200, 200] if len(events) == 2 else [200, 409])
        assert_consistent(status, bits)
        # Revocation is final: a reinstatement cannot bring it back.
        response = service.client.post(f"{URL}/credentials/{credential_id}/reinstate",
                                       headers=service.auth(service.admin))
        assert response.status_code == 409
        assert stored(service, credential_id)[0] == "revoked"


def test_concurrent_suspend_reinstate_and_revoke_agree_with_their_bits(service) -> None:
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    for _ in range(TRIALS):
        credential_id = issue(service)
        answers = race(service, credential_id, ["suspend", "reinstate", "suspend"])
        status, bits, events = stored(service, credential_id)
        assert answers.count(200) == len(events)
        assert_consistent(status, bits)
        # Replaying the audited changes from "active" gives the stored state.
        state = "active"
        for action in events:
            state = FINAL[action]
        assert state == status
