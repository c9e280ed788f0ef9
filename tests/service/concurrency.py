"""Many clients issuing at once, one of them failing midway (shared by SQLite and PostgreSQL
tests)."""

from __future__ import annotations

import itertools
import threading

from flask import Flask
from sqlalchemy import func, select

import issuer.services.issuance as issuance
from issuer.store import store
from issuer.store.models import Completion, Credential, StatusEntry
from tests.service.conftest import completion_body

THREADS, PER_THREAD = 8, 25


def issue_concurrently(app: Flask, token: str, slug: str, monkeypatch) -> dict:
    """Issue THREADS x PER_THREAD credentials at once; the 50th signing fails midway."""
    real_sign, calls, lock = issuance.sign_with, itertools.count(1), threading.Lock()

    def sometimes_failing(*args, **kwargs):
        with lock:
            call = next(calls)
        if call == 50:
            raise RuntimeError("the signer died midway")
        return real_sign(*args, **kwargs)

    monkeypatch.setattr(issuance, "sign_with", sometimes_failing)
    indexes: list[str] = []
    failures: list[tuple[int, str]] = []

    def worker() -> None:
        client = app.test_client()
        for _ in range(PER_THREAD):
            response = client.post(f"/api/v1/issuers/{slug}/completions",
                                   json=completion_body(),
                                   headers={"Authorization": f"Bearer {token}"})
            if response.status_code == 201:
                indexes.append(response.get_json()["credential"]["credentialStatus"]
                               ["statusListIndex"])
            else:
                failures.append((response.status_code, response.get_json()["detail"]))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store(app).sessions() as db:
        positions = db.scalars(select(StatusEntry.position)).all()
        counts = {"credentials": db.scalar(select(func.count()).select_from(Credential)),
                  "completions": db.scalar(select(func.count()).select_from(Completion))}
    return {"indexes": indexes, "failures": failures, "positions": positions, **counts}


def assert_nothing_lost(result: dict) -> None:
    total = THREADS * PER_THREAD
    assert [status for status, _detail in result["failures"]] == [500], result["failures"]
    assert len(result["indexes"]) == total - 1
    assert len(set(result["indexes"])) == total - 1
    # The failed request left nothing behind: no credential, completion or claimed position.
    assert result["credentials"] == result["completions"] == total - 1
    assert sorted(result["positions"]) == sorted(int(i) for i in result["indexes"])
