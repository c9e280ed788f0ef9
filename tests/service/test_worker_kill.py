"""A cohort left to the task workers (`flask completions import --background`, `flask worker`):
a worker process is killed with SIGKILL mid-import, then the whole worker (consumer and all);
a new one finishes the job, every valid row issued exactly once.

The kill points come from a seed, printed with the test's output when it fails; set TEST_SEED
to that number to aim at the same points again."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from tests.service.live import BIN, ROOT, flask, service_env
from tests.service.test_batch_import_cli import cohort, counter

ROWS = 1500


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a consumer's worker and scheduler)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except DBAPIError:
            pass  # a busy store: ask again
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.fixture
def kill_points() -> tuple[int, int]:
    """After how many issued rows the worker process is killed, then the whole worker."""
    seed = int(os.environ.get("TEST_SEED") or random.SystemRandom().randrange(2**32))
    print(f"kill point seed: TEST_SEED={seed}")
    first = random.Random(seed).randint(50, 500)
    return first, first + random.Random(seed + 1).randint(100, 500)


def test_killed_workers_leave_each_row_issued_exactly_once(tmp_path: Path,
                                                           kill_points: tuple[int, int]
                                                           ) -> None:
    with service_env(tmp_path, "https://credentials.example.org") as env:
        env["TASK_HEALTH_CHECK_SECONDS"] = "1"
        flask(env, "init")
        env["CC_TOKEN"] = flask(env, "issuers", "create", "riverbend",
                                "--name", "Riverbend")["token"]
        csv_file = tmp_path / "cohort.csv"
        bad = cohort(csv_file, rows=ROWS)
        valid = ROWS - len(bad)
        count = counter(env, tmp_path)
        queued = flask(env, "completions", "import", str(csv_file), "--issuer", "riverbend",
                       "--background")
        assert (queued["status"], queued["valid"], queued["issued"]) == ("running", valid, 0)
        issued = lambda: count("select count(*) from import_rows where state = 'issued'")  # noqa: E731

        consumer = start_worker(env)
        try:
            wait_for(lambda: issued() >= kill_points[0], "the first rows")
            killed = children(consumer.pid)  # the worker process, and the scheduler's
            assert len(killed) == 2
            for pid in killed:
                os.kill(pid, signal.SIGKILL)  # mid-row, most likely: its transaction is lost
            # The consumer starts new ones; the new worker sends the job again.
            wait_for(lambda: issued() >= kill_points[1], "the worker's replacement")
            assert not set(killed) & set(children(consumer.pid))
        finally:
            os.killpg(consumer.pid, signal.SIGKILL)  # the whole worker: a host that died
            consumer.wait()
        assert count("select count(*) from import_jobs where finished_at is null") == 1
        assert count("select count(*) from credentials") < valid

        consumer = start_worker(env)  # its start sends the unfinished job again
        try:
            wait_for(lambda: count(f"select count(*) from import_jobs where id = '{queued['id']}'"
                                   " and finished_at is not null") == 1, "the job's end")
        finally:
            consumer.send_signal(signal.SIGINT)  # finish what is in hand, then stop
            assert consumer.wait(timeout=60) == 0
        assert_each_row_once(count, valid)


def assert_each_row_once(count: Callable[[str], int], valid: int) -> None:
    assert count("select count(*) from import_rows where state = 'issued'") == valid
    assert count("select count(*) from import_rows where state <> 'issued'") == 0
    assert count("select count(*) from completions") == valid
    assert count("select count(*) from credentials") == valid
    assert count("select count(distinct credential_id) from import_rows") == valid
    assert count("select count(distinct learner_email) from completions") == valid
    assert count("select count(*) from (select status_list_id, position from status_entries "
                 "group by 1, 2 having count(*) > 1) as reused") == 0
