"""A row that fails while issuing is marked failed with its reason and the job goes on; the
runners (`flask jobs resume`, the task workers) go past a job that stops; an answer
never says "nothing was changed" when rows were issued."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from issuer.operations import tasks
from issuer.services import batches
from issuer.store import store
from issuer.store.models import Completion, ImportJob, ImportRow
from issuer.web.context import service_context
from tests.service.conftest import BASE, completion_body
from tests.service.stores import on_postgresql
from tests.service.test_errors import assert_problem

BATCH = "/api/v1/issuers/riverbend/completions:batch"


def rows(names: list[str]) -> list[dict]:
    return [completion_body(learner={"name": name, "email": f"{name.lower()}@example.com"})
            for name in names]


def post(service, body: list[dict], token: str | None = None):
    return service.client.post(BATCH, json=body,
                               headers=service.auth(token or service.assessor))


def failing_for(monkeypatch, names: set[str], error: Exception) -> list[str]:
    """Make issuing fail with ``error`` for learners named in ``names``; who was attempted."""
    real, attempted = batches.issue_completion, []

    def issue(db, caller, slug, request, base_url, kek):
        attempted.append(request.learner_name)
        if request.learner_name in names:
            raise error
        return real(db, caller, slug, request, base_url, kek)

    monkeypatch.setattr(batches, "issue_completion", issue)
    return attempted


def states(service, job_id: str) -> dict[int, tuple[str, str | None]]:
    with store(service.app).sessions() as db:
        return {row: (state, error) for row, state, error in db.execute(
            select(ImportRow.row, ImportRow.state, ImportRow.error)
            .where(ImportRow.job_id == job_id))}


def test_a_failing_row_is_marked_failed_and_the_job_goes_on(service, monkeypatch) -> None:
    failing_for(monkeypatch, {"Bo"}, RuntimeError("the signer died"))
    response = post(service, rows(["Al", "Bo", "Cy"]))
    assert response.status_code == 201, response.get_json()
    job = response.get_json()
    assert (job["status"], job["issued"], job["failed"], job["pending"]) == ("done", 2, 1, 0)
    error = job["rows"][1]["error"]
    assert error.startswith("could not be issued: the service failed on this row")
    assert "signer died" not in error  # what an exception says stays in the log


def test_a_row_the_store_refuses_fails_alone(service, caplog) -> None:
    """A job recorded before names were checked, holding a NUL: PostgreSQL refuses the row
    (its text cannot hold NUL); the job finishes, the other rows issued."""
    service.app.config["BATCH_INLINE_ROWS"] = 0
    job_id = post(service, rows(["Al", "Bo", "Cy"])).get_json()["id"]
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(ImportRow).where(ImportRow.row == 2).values(
            request=completion_body(learner={"name": "B\u0000o", "email": "bo@example.com"})))
    assert batches.resume_jobs(store(service.app).sessions, BASE,
                               service_context(service.app).kek) == 1
    found = states(service, job_id)
    assert found[1][0] == found[3][0] == "issued"
    if on_postgresql():
        assert found[2][0] == "failed"
        assert found[2][1].startswith("the store refused this row (its log says why")
        assert "NUL" in caplog.text and "NUL" not in found[2][1]
    else:  # SQLite text holds NUL
        assert found[2][0] == "issued"


def test_jobs_resume_goes_past_a_job_that_stops(service, monkeypatch) -> None:
    service.app.config["BATCH_INLINE_ROWS"] = 0
    stuck = post(service, rows(["Al", "Bo"])).get_json()["id"]
    later = post(service, rows(["Cy", "Di"])).get_json()["id"]
    outage = OperationalError("INSERT", {}, ConnectionError("server closed the connection"))
    failing_for(monkeypatch, {"Bo"}, outage)
    result = service.app.test_cli_runner().invoke(args=["jobs", "resume"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1]) == {"finished": 1}
    # The job that stopped keeps its issued row and its pending one, unfinished...
    assert states(service, stuck) == {1: ("issued", None), 2: ("pending", None)}
    assert states(service, later) == {1: ("issued", None), 2: ("issued", None)}
    with store(service.app).sessions() as db:
        assert db.get(ImportJob, stuck).finished_at is None
    # ...and finishes on the next pass, once the store is back.
    monkeypatch.undo()
    assert batches.resume_jobs(store(service.app).sessions, BASE,
                               service_context(service.app).kek) == 1
    assert states(service, stuck)[2][0] == "issued"


def test_the_task_workers_go_past_a_job_that_stops(service, monkeypatch) -> None:
    service.app.config["BATCH_INLINE_ROWS"] = 0
    stuck = post(service, rows(["Al"])).get_json()["id"]
    later = post(service, rows(["Cy"])).get_json()["id"]
    real_run_job = batches.run_job

    def run_job(sessions, job_id, *args, **kwargs):
        if job_id == stuck:
            raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))
        return real_run_job(sessions, job_id, *args, **kwargs)

    monkeypatch.setattr(batches, "run_job", run_job)
    assert tasks.run_queued(service.app) == 2  # the tasks the two answers queued
    assert states(service, stuck) == {1: ("pending", None)}
    assert states(service, later) == {1: ("issued", None)}
    # The lost work is the sweep's: it sends the unfinished job again.
    monkeypatch.undo()
    assert tasks.enqueue("imports.sweep", app=service.app)
    assert tasks.run_queued(service.app) == 2  # the sweep, then the job it sent
    assert states(service, stuck) == {1: ("issued", None)}


def test_an_inline_batch_that_stops_says_what_was_issued(service, monkeypatch) -> None:
    outage = OperationalError("INSERT", {}, ConnectionError("server closed the connection"))
    failing_for(monkeypatch, {"Bo"}, outage)
    response = post(service, rows(["Al", "Bo", "Cy"]))
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert (job["status"], job["issued"], job["pending"]) == ("running", 1, 2)
    assert response.headers["Location"] == job["url"]
    with store(service.app).sessions() as db:
        assert db.scalar(select(func.count()).select_from(Completion)) == 1


def test_when_even_the_job_cannot_be_read_the_answer_says_it_was_recorded(
        service, monkeypatch) -> None:
    outage = OperationalError("INSERT", {}, ConnectionError("server closed the connection"))
    failing_for(monkeypatch, {"Bo"}, outage)
    monkeypatch.setattr(batches, "get_job", _raises(outage))
    problem = assert_problem(post(service, rows(["Al", "Bo"])), 503)
    assert "nothing was changed" not in problem["detail"]
    assert "some of its rows may already be issued" in problem["detail"]
    assert problem["job"] and problem["job"] in problem["detail"]


def _raises(error: Exception):
    def fail(*_args, **_kwargs):
        raise error
    return fail


def test_a_job_stops_issuing_once_its_token_is_revoked(service) -> None:
    """A job never outlives the authority that submitted it: rows left when the token is
    revoked fail, naming why."""
    service.app.config["BATCH_INLINE_ROWS"] = 0
    token = service.client.post("/api/v1/issuers/riverbend/tokens", json={"role": "assessor"},
                                headers=service.auth(service.admin)).get_json()
    job_id = post(service, rows(["Al", "Bo"]), token=token["token"]).get_json()["id"]
    revoked = service.client.post(f"/api/v1/issuers/riverbend/tokens/{token['id']}/revoke",
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    batches.resume_jobs(store(service.app).sessions, BASE, service_context(service.app).kek)
    found = states(service, job_id)
    assert {state for state, _error in found.values()} == {"failed"}
    assert all("token that submitted this job was revoked" in error
               for _state, error in found.values())
