"""The whole path a user takes: CLI set-up, a real server process, HTTP, verification."""

from __future__ import annotations

import time

from tests.service.conftest import MODEL, completion_body
from tests.service.live import call


def test_record_then_verify_over_http(server) -> None:
    base, created, assessor, instance = (server.base, server.created, server.assessor,
                                         server.instance)
    assert created["did"].startswith("did:web:127.0.0.1%3A")
    assert created["token"].startswith("cc_")
    assert (instance / "key-encryption-key").stat().st_mode & 0o077 == 0

    status, result = call(f"{base}/api/v1/issuers/riverbend/completions",
                          completion_body(competency=f"{MODEL}/patient-vitals"), assessor)
    assert status == 201, result
    status, served = call(result["url"])
    assert status == 200 and served == result["credential"]
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 200 and report["verified"] is True, report
    served["name"] = "Something else"
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 422 and report["verified"] is False


def test_a_large_batch_runs_in_the_background_of_the_server(server) -> None:
    rows = [completion_body(learner={"name": f"Tech {n}", "email": f"tech{n}@example.com"})
            for n in range(60)]
    status, job = call(f"{server.base}/api/v1/issuers/riverbend/completions:batch", rows,
                       server.assessor)
    assert status == 202 and job["pending"] == 60, job
    deadline = time.monotonic() + 120
    while job["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.5)
        status, job = call(job["url"], token=server.assessor)
    assert (job["status"], job["issued"]) == ("done", 60)
