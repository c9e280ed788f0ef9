"""A small version of loadtest/run.py: concurrent clients against gunicorn while a worker is
killed with SIGKILL; nothing is lost, nothing issued twice, no 5xx reaches a client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from loadtest.attacks import run_mix
from loadtest.run import check, run_load, serve
from tests.service.stores import database_url, on_postgresql, pg_database


@contextmanager
def store_url() -> Iterator[str | None]:
    if not on_postgresql():
        yield None
        return
    with pg_database() as name:
        yield database_url(name)


def test_concurrent_clients_survive_a_killed_worker() -> None:
    with store_url() as url, serve(workers=2, database_url=url) as server:
        outcome = run_load(server, clients=8, seconds=6, faults=[(2.5, "kill-worker")])
        assert check(server, outcome) == []
    assert len(outcome.issued) >= 20
    assert outcome.statuses[("issue", 201)] == len(outcome.issued)


def test_attacks_beside_normal_verifications_leave_them_fast() -> None:
    """loadtest/attacks.py, small: two gunicorn workers, attackers sending every attack in
    turn; every answer right and no 5xx anywhere. (The p99 target is the script's to measure
    on a quiet machine: a timed assertion here would test the machine.)"""
    with serve(workers=2) as server:
        outcome = run_mix(server, clients=3, attackers=2, seconds=8, max_requests=2000)
    assert outcome.failures() == []
    assert len({name for name, _status in outcome.attack_statuses}) == 7  # each was sent
    assert all(status in (400, 413, 422) for _name, status in outcome.attack_statuses)
