"""A host whose KEY_ENCRYPTION_KEY is not the store's says so in /readyz and refuses to issue
or touch keys (503 naming the cause, never a 500), on the API and the command line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from issuer.operations import tasks
from issuer.services import batches
from issuer.services.keyring import KEK_MISMATCH, KEK_MISMATCH_TYPE
from issuer.store import store
from issuer.store.models import Credential, ImportJob, ImportRow, KeyCheck, SigningKey
from issuer.web.context import service_context
from keys.encryption import KeyEncryptionKey
from tests.service.conftest import BASE, KEK, completion_body, make_app
from tests.service.test_errors import assert_problem
from tests.service.test_migrations import empty_store

OTHER_KEK = KeyEncryptionKey.generate_text()
ISSUE = "/api/v1/issuers/riverbend/completions"


def host(service, kek: str):
    """Another host on the service's store, configured with ``kek``."""
    return make_app(Path(service.app.instance_path), KEY_ENCRYPTION_KEY=kek,
                    DATABASE_URL=service.app.config["DATABASE_URL"])


def keys_in_store(service) -> list[tuple[str, str]]:
    with store(service.app).sessions() as db, db.begin():
        return [tuple(row) for row in db.execute(select(SigningKey.kid, SigningKey.status)
                                                 .order_by(SigningKey.id))]


def assert_mismatch(response) -> None:
    body = assert_problem(response, 503)
    assert body["type"] == KEK_MISMATCH_TYPE and KEK_MISMATCH in body["detail"]


def test_a_host_with_another_kek_is_not_ready_and_refuses_key_work(service, caplog) -> None:
    assert service.client.post(ISSUE, json=completion_body(),  # a learner with a credential
                               headers=service.auth(service.assessor)).status_code == 201
    before = keys_in_store(service)
    with caplog.at_level(logging.ERROR, logger="issuer.services.keyring"):
        wrong = host(service, OTHER_KEK)
    assert any(KEK_MISMATCH in r.getMessage() for r in caplog.records)
    client = wrong.test_client()
    assert_mismatch(client.get("/readyz"))
    assert service.client.get("/readyz").status_code == 200
    counts = service.counts()
    assert_mismatch(client.post(ISSUE, json=completion_body(),
                                headers=service.auth(service.assessor)))
    assert_mismatch(client.post("/credentials/issue", headers=service.auth(service.admin),
                                json={"credential": {
                                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                                    "type": ["VerifiableCredential"],
                                    "issuer": f"{BASE}/issuers/riverbend",
                                    "credentialSubject": {"id": "did:example:learner"}}}))
    assert_mismatch(client.post("/api/v1/issuers/riverbend/learners/clr",
                                json={"email": "jordan.rivera@example.com"},
                                headers=service.auth(service.admin)))
    assert_mismatch(client.post("/api/v1/issuers/riverbend/keys/rotate",
                                headers=service.auth(service.admin)))
    assert_mismatch(client.post(f"/api/v1/issuers/riverbend/keys/{before[0][0]}/revoke",
                                headers=service.auth(service.admin)))
    rotated = wrong.test_cli_runner().invoke(args=["keys", "rotate", "--issuer", "riverbend"])
    assert rotated.exit_code == 1 and KEK_MISMATCH in rotated.output
    created = wrong.test_cli_runner().invoke(args=["issuers", "create", "hillside",
                                                   "--name", "Hillside"])
    assert created.exit_code == 1 and KEK_MISMATCH in created.output
    assert keys_in_store(service) == before and service.counts() == counts
    # The good hosts are unharmed.
    assert service.client.post(ISSUE, json=completion_body(),
                               headers=service.auth(service.assessor)).status_code == 201


def test_a_store_without_a_canary_gets_one_only_from_a_host_that_reads_its_keys(service
                                                                                 ) -> None:
    with store(service.app).sessions() as db, db.begin():
        db.execute(delete(KeyCheck))  # a store from before the canary
    wrong = host(service, OTHER_KEK)
    with store(service.app).sessions() as db, db.begin():
        assert db.scalar(select(func.count()).select_from(KeyCheck)) == 0
    assert_mismatch(wrong.test_client().get("/readyz"))
    good = host(service, KEK)
    with store(service.app).sessions() as db, db.begin():
        canary = db.scalar(select(KeyCheck.canary))
    assert KeyEncryptionKey.from_text(KEK).opens_canary(canary)
    assert good.test_client().get("/readyz").status_code == 200
    assert_mismatch(wrong.test_client().get("/readyz"))


def test_init_records_the_kek_of_a_new_store_and_refuses_another(tmp_path) -> None:
    with empty_store(tmp_path) as url:
        first = make_app(tmp_path / "one", DATABASE_URL=url)
        result = first.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["keyEncryptionKey"] == "matches"
        with store(first).sessions() as db, db.begin():
            assert KeyEncryptionKey.from_text(KEK).opens_canary(db.scalar(
                select(KeyCheck.canary)))
        second = make_app(tmp_path / "two", DATABASE_URL=url, KEY_ENCRYPTION_KEY=OTHER_KEK)
        again = second.test_cli_runner().invoke(args=["init"])
        assert again.exit_code == 1 and KEK_MISMATCH in again.output
        for app in (first, second):
            store(app).engine.dispose()


def test_a_batch_on_the_wrong_host_records_nothing_and_a_retry_issues_once(service
                                                                          ) -> None:
    wrong = host(service, OTHER_KEK)
    rows = [completion_body(learner={"name": f"L {n}", "email": f"l{n}@example.com"})
            for n in range(2)]
    counts = service.counts()
    for body, kind in ((rows, None), (_csv(rows), "text/csv")):
        kwargs = {"json": body} if kind is None else {"data": body, "content_type": kind}
        assert_mismatch(wrong.test_client().post(f"{ISSUE}:batch",
                                                 headers=service.auth(service.assessor),
                                                 **kwargs))
    with store(service.app).sessions() as db, db.begin():
        assert db.scalar(select(func.count()).select_from(ImportJob)) == 0
        assert db.scalar(select(func.count()).select_from(ImportRow)) == 0
    assert service.counts() == counts
    # The client retries, without an Idempotency-Key, on a good host: each row once.
    retried = service.client.post(f"{ISSUE}:batch", json=rows,
                                  headers=service.auth(service.assessor))
    assert retried.status_code == 201 and retried.json["issued"] == 2
    assert batches.resume_jobs(store(service.app).sessions, BASE,
                               service_context(service.app).kek) == 0
    with store(service.app).sessions() as db, db.begin():
        assert db.scalar(select(func.count()).select_from(Credential)) == \
            counts["credentials"] + 2


def test_a_batch_that_cannot_be_signed_after_it_was_recorded_names_its_job(service) -> None:
    with store(service.app).sessions() as db, db.begin():  # recorded under a good KEK, but
        key = db.scalars(select(SigningKey).order_by(SigningKey.id)).first()  # altered
        blob = bytearray(key.private_key_encrypted)
        blob[-1] ^= 1
        db.execute(update(SigningKey).where(SigningKey.id == key.id)
                   .values(private_key_encrypted=bytes(blob)))
    response = service.client.post(f"{ISSUE}:batch", json=[completion_body()],
                                   headers=service.auth(service.assessor))
    body = assert_problem(response, 503)
    with store(service.app).sessions() as db, db.begin():
        job = db.scalar(select(ImportJob.id))
    assert body["job"] == job and response.headers["Location"].endswith(f"/jobs/{job}")
    assert key.kid in body["detail"] and "Idempotency-Key" in body["detail"]


def _csv(rows: list[dict]) -> str:
    lines = ["learner_name,learner_email,competency,level,completed_on"]
    lines += [f"{r['learner']['name']},{r['learner']['email']},{r['competency']},{r['level']},"
              f"{r['completedOn']}" for r in rows]
    return "\n".join(lines) + "\n"


def test_a_key_record_that_does_not_decrypt_is_a_503_naming_the_key(service) -> None:
    with store(service.app).sessions() as db, db.begin():
        key = db.scalars(select(SigningKey).order_by(SigningKey.id)).first()
        blob = bytearray(key.private_key_encrypted)
        blob[-1] ^= 1
        db.execute(update(SigningKey).where(SigningKey.id == key.id)
                   .values(private_key_encrypted=bytes(blob)))
    body = assert_problem(service.client.post(ISSUE, json=completion_body(),
                                              headers=service.auth(service.assessor)), 503)
    assert key.kid in body["detail"] and "rotate" in body["detail"]


def test_init_on_a_fresh_store_logs_no_kek_warning(tmp_path, caplog) -> None:
    with empty_store(tmp_path) as url, caplog.at_level(logging.INFO):
        app = make_app(tmp_path, DATABASE_URL=url)
        assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
        store(app).engine.dispose()
    assert not [r for r in caplog.records if r.name == "issuer.services.keyring"]


@pytest.mark.parametrize("bad", ["not base64 at all!", "c2hvcnQ"])
def test_a_malformed_kek_stops_with_one_line(tmp_path, bad) -> None:
    with pytest.raises(SystemExit) as stopped:
        make_app(tmp_path, KEY_ENCRYPTION_KEY=bad)
    message = str(stopped.value.code)
    assert "\n" not in message and "KEY_ENCRYPTION_KEY" in message and "base64url" in message
    command = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "init"], capture_output=True,
        text=True, cwd=Path(__file__).parents[2], timeout=120,
        env={**os.environ, "KEY_ENCRYPTION_KEY": bad, "INSTANCE_PATH": str(tmp_path),
             "PYTHONPATH": str(Path(__file__).parents[2])})
    assert command.returncode == 1 and "Traceback" not in command.stderr
    assert command.stderr.strip() == message


def test_the_task_worker_of_a_wrong_host_claims_no_row(service, caplog) -> None:
    good = host(service, KEK)
    good.config["BATCH_INLINE_ROWS"] = 0  # recorded, left to the workers
    assert good.test_client().post(f"{ISSUE}:batch", json=[completion_body()],
                                   headers=service.auth(service.assessor)).status_code == 202
    wrong = host(service, OTHER_KEK)  # on the same queue as the good host
    with caplog.at_level(logging.INFO, logger="issuer.operations.imports"):
        assert tasks.run_queued(wrong) == 1  # the task the answer queued
        assert tasks.enqueue("imports.sweep", app=wrong)
        assert tasks.run_queued(wrong) == 2  # the sweep, and the job it sent again
    said = [r for r in caplog.records if r.name == "issuer.operations.imports"]
    assert [r.levelno for r in said] == [logging.ERROR]  # once, not every task
    assert KEK_MISMATCH in said[0].getMessage()
    with store(service.app).sessions() as db, db.begin():
        assert db.scalar(select(ImportJob.finished_at)) is None
        assert set(db.scalars(select(ImportRow.state))) == {"pending"}
    resumed = host(service, OTHER_KEK).test_cli_runner().invoke(args=["jobs", "resume"])
    assert resumed.exit_code == 1 and KEK_MISMATCH in resumed.output
    assert tasks.enqueue("imports.sweep", app=good)
    assert tasks.run_queued(good) == 2
    with store(service.app).sessions() as db, db.begin():
        assert db.scalar(select(ImportJob.finished_at)) is not None
        assert set(db.scalars(select(ImportRow.state))) == {"issued"}
