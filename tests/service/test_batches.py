"""Batch issuance over HTTP: per-row reports, idempotent uploads, background jobs that resume."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from issuer.operations import tasks
from issuer.services import batches
from issuer.store import store
from issuer.store.models import Completion, Credential, ImportJob, ImportRow
from issuer.web.context import service_context
from tests.service.conftest import BASE, MODEL, completion_body
from tests.service.stores import on_postgresql

BATCH = "/api/v1/issuers/riverbend/completions:batch"
HEADER = "learner_name,learner_email,competency,level,completed_on,evidence\n"


def learner(n: int) -> dict:
    return {"name": f"Learner {n}", "email": f"learner{n}@example.com"}


def post(service, body=None, csv: str | None = None, key: str | None = None, token=None):
    headers = service.auth(token or service.assessor)
    if key:
        headers["Idempotency-Key"] = key
    if csv is not None:
        return service.client.post(BATCH, data=csv, headers={**headers,
                                                             "Content-Type": "text/csv"})
    return service.client.post(BATCH, json=body, headers=headers)


def credentials_count(service) -> int:
    with store(service.app).sessions() as db:
        return db.scalar(select(func.count()).select_from(Credential))


def test_json_batch_issues_valid_rows_and_reports_bad_ones(service) -> None:
    rows = [completion_body(learner=learner(1)),
            completion_body(learner=learner(2), level="expert"),
            completion_body(learner=learner(3), competency=f"{MODEL}/juggling"),
            completion_body(learner={"name": "", "email": "not-an-email"}),
            completion_body(learner=learner(5), completedOn="2999-01-01")]
    response = post(service, rows)
    assert response.status_code == 201, response.get_json()
    job = response.get_json()
    assert (job["status"], job["total"], job["valid"], job["issued"]) == ("done", 5, 1, 1)
    assert job["invalid"] == 4
    assert {(e["row"], e["field"]) for e in job["errors"]} == {
        (2, "/level"), (3, "/competency"), (4, "/learner/name"), (4, "/learner/email"),
        (5, "/completedOn")}
    assert job["rows"][0]["row"] == 1 and credentials_count(service) == 1
    served = service.client.get(f"/credentials/{job['rows'][0]['credentialId']}")
    report = service.client.post("/credentials/verify",
                                 json={"verifiableCredential": served.get_json()})
    assert report.get_json()["verified"] is True


def test_csv_batch_names_columns_in_its_report(service) -> None:
    csv = HEADER + (
        f"Ana Diaz,ana@example.com,{MODEL}/cpr-and-first-aid,proficient,2026-10-01,"
        "https://riverbend.example.org/evidence/9\n"
        f"Ben Ode,ben@example.com,{MODEL}/cpr-and-first-aid,Proficient,2026-10-01,\n"
        f"Cy Lu,cy@example.com,{MODEL}/patient-vitals,emerging,2026-13-01,Observed\n")
    job = post(service, csv=csv).get_json()
    assert (job["issued"], job["invalid"]) == (1, 2)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(2, "level"),
                                                               (3, "completed_on")]
    credential = service.client.get(f"/credentials/{job['rows'][0]['credentialId']}").get_json()
    assert credential["evidence"][0]["id"] == "https://riverbend.example.org/evidence/9"


def test_a_csv_without_the_documented_header_is_refused(service) -> None:
    response = post(service, csv="name,email\nA,a@example.com\n")
    assert response.status_code == 422
    assert "missing learner_name" in response.get_json()["detail"]
    assert credentials_count(service) == 0


def test_an_unreadable_csv_is_a_clear_400(service) -> None:
    response = post(service, csv=HEADER + '"' + "x" * 200_000 + '"\n')
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["detail"].startswith("the CSV cannot be read")
    assert post(service, csv=HEADER + "a,b\x00c,d,e,f,g\n").status_code == 400  # NUL
    assert post(service, csv="").status_code == 422


def test_a_batch_without_a_valid_row_records_nothing(service) -> None:
    before = service.counts()
    response = post(service, [completion_body(level="x"), {"nonsense": True}])
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"] == "none of the 2 rows is valid"
    assert problem["errors"][0]["pointer"].startswith("/rows/1/")
    assert service.counts() == before


def test_a_retried_upload_issues_nothing_twice(service) -> None:
    rows = [completion_body(learner=learner(n)) for n in range(3)]
    first = post(service, rows, key="cohort-7")
    again = post(service, rows, key="cohort-7")
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["rows"] == first.get_json()["rows"]
    assert credentials_count(service) == 3
    other = post(service, rows[:2], key="cohort-7")
    assert other.status_code == 409 and credentials_count(service) == 3


def upload_at_once(service, rows: list[dict], key: str, barrier: threading.Barrier,
                   answers: list) -> None:
    client = service.app.test_client()
    barrier.wait()
    answers.append(client.post("/api/v1/issuers/riverbend/completions:batch", json=rows,
                               headers={**service.auth(service.assessor),
                                        "Idempotency-Key": key}))


def test_two_uploads_with_one_key_at_once_record_one_job(service) -> None:
    """The loser of the race on the Idempotency-Key replays the winner's job, never a 500."""
    rows = [completion_body(learner=learner(n)) for n in range(3)]
    for attempt in range(3):
        barrier, answers = threading.Barrier(2), []
        threads = [threading.Thread(target=upload_at_once,
                                    args=(service, rows, f"race-{attempt}", barrier, answers))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(a.status_code for a in answers) == [200, 201], \
            [a.get_json() for a in answers]
        assert answers[0].get_json()["id"] == answers[1].get_json()["id"]
    assert credentials_count(service) == 3 * 3  # one job of three rows per key


def test_batches_need_a_token_of_the_issuer(service) -> None:
    assert service.client.post(BATCH, json=[completion_body()]).status_code == 401
    assert post(service, [completion_body()], token=service.other_admin).status_code == 403
    job = post(service, [completion_body()]).get_json()
    other = service.client.get(f"/api/v1/issuers/lakeside/jobs/{job['id']}",
                               headers=service.auth(service.other_admin))
    assert other.status_code == 404


def test_large_batches_run_as_a_job_with_progress(service) -> None:
    service.app.config["BATCH_INLINE_ROWS"] = 2
    rows = [completion_body(learner=learner(n)) for n in range(5)]
    accepted = post(service, rows, key="big")
    assert accepted.status_code == 202
    location = accepted.headers["Location"]
    assert location.startswith(f"{BASE}/api/v1/issuers/riverbend/jobs/")
    progress = service.client.get(location.removeprefix(BASE),
                                  headers=service.auth(service.assessor)).get_json()
    assert (progress["status"], progress["pending"], progress["issued"]) == ("running", 5, 0)
    assert tasks.run_queued(service.app) == 1  # the task the answer queued finishes it
    done = service.client.get(location.removeprefix(BASE),
                              headers=service.auth(service.assessor)).get_json()
    assert (done["status"], done["issued"], done["pending"]) == ("done", 5, 0)


class Interrupted(BaseException):
    """Stands for the process dying: unlike an error, nothing catches it (a transaction it
    breaks is rolled back, as a killed process's is)."""


def test_an_interrupted_job_resumes_without_duplicates_or_gaps(service, monkeypatch) -> None:
    service.app.config["BATCH_INLINE_ROWS"] = 0
    rows = [completion_body(learner=learner(n)) for n in range(12)]
    job_id = post(service, rows).get_json()["id"]
    sessions, kek = store(service.app).sessions, service_context(service.app).kek
    issued, real_issue = [], batches.issue_completion

    def die_after_five(step: int) -> None:
        issued.append(step)
        if len(issued) == 5:
            raise Interrupted  # the process "dies" between two rows

    with pytest.raises(Interrupted):
        batches.run_job(sessions, job_id, BASE, kek, die_after_five)

    def die_in_row(db, caller, slug, request, base_url, kek):
        real_issue(db, caller, slug, request, base_url, kek)
        raise Interrupted  # the process "dies" with the row issued but not yet committed

    monkeypatch.setattr(batches, "issue_completion", die_in_row)
    with pytest.raises(Interrupted):
        batches.run_job(sessions, job_id, BASE, kek)
    monkeypatch.undo()
    # No lease to wait out: the next worker takes the rows that are left, at once.
    assert batches.run_job(sessions, job_id, BASE, kek) is True
    assert issued == [1, 1, 1, 1, 1]
    with sessions() as db:
        states = db.execute(select(ImportRow.state, func.count())
                            .group_by(ImportRow.state)).all()
        assert states == [("issued", 12)]
        assert db.scalar(select(func.count()).select_from(Completion)) == 12
        assert db.scalar(select(func.count(func.distinct(ImportRow.credential_id)))) == 12


@pytest.mark.skipif(not on_postgresql(), reason="SQLite has one writer: claims wait their turn")
def test_two_workers_share_a_job_each_row_once(service, monkeypatch) -> None:
    """While worker A holds row 1 (issuing it, not committed), worker B takes every other
    row, skipping A's; B cannot finish the job, A does once its row commits."""
    service.app.config["BATCH_INLINE_ROWS"] = 0
    job_id = post(service, [completion_body(learner=learner(n)) for n in range(6)]
                  ).get_json()["id"]
    sessions, kek = store(service.app).sessions, service_context(service.app).kek
    real_issue, outcome = batches.issue_completion, {}

    def worker_b() -> None:
        outcome["b"] = batches.run_job(sessions, job_id, BASE, kek)

    def issue(db, caller, slug, request, base_url, kek):
        if not outcome:  # A, inside row 1's transaction: B runs meanwhile
            outcome["a-row"] = request.learner_name
            thread = threading.Thread(target=worker_b)
            thread.start()
            thread.join(timeout=60)
        return real_issue(db, caller, slug, request, base_url, kek)

    monkeypatch.setattr(batches, "issue_completion", issue)
    assert batches.run_job(sessions, job_id, BASE, kek) is True
    assert outcome == {"a-row": "Learner 0", "b": False}
    with sessions() as db:
        assert db.execute(select(ImportRow.state, func.count())
                          .group_by(ImportRow.state)).all() == [("issued", 6)]
        assert db.scalar(select(func.count()).select_from(Completion)) == 6
        assert db.scalar(select(func.count(func.distinct(ImportRow.credential_id)))) == 6
        assert db.get(ImportJob, job_id).finished_at is not None


def test_job_times_are_utc_with_z_like_token_times(service) -> None:
    job = post(service, [completion_body()]).get_json()
    assert job["status"] == "done"
    for moment in (job["createdAt"], job["finishedAt"]):
        assert moment.endswith("Z") and datetime.fromisoformat(moment).tzinfo is not None
