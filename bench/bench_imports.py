"""One large import shared by 1, 2 and 4 task workers: PostgreSQL store, Redis queue.

For each worker count: a fresh database, the cohort recorded with ``flask completions import
--background``, timed from then until the job is finished, with that many ``flask worker``
processes (each its own consumer, as on separate hosts) already waiting on the queue.
Afterwards every row must be issued exactly once. Prints rows/s and the ratio to one worker.

    python bench/bench_imports.py [--rows 10000] [--workers 1,2,4]

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) names the server (a
database of this run's own is made on it); BENCH_REDIS_URL (default redis://127.0.0.1:6379/0)
the queue, under a queue name of this run's own.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from issuer.store import normalise_url  # noqa: E402

BIN = Path(sys.executable).parent
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
COMPETENCIES = ["de-escalation", "patient-vitals", "cpr-and-first-aid", "trauma-informed-care"]
LEVELS = ["emerging", "developing", "proficient", "advanced"]
RUN = uuid.uuid4().hex[:8]


def flask(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_cohort(path: Path, rows: int) -> None:
    lines = ["learner_name,learner_email,competency,level,completed_on,evidence"]
    lines += [f"Technician {n},tech{n}@example.com,{MODEL}/{COMPETENCIES[n % 4]},"
              f"{LEVELS[n % 4]},2026-10-15,Observed on shift {n}" for n in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n")


@contextmanager
def database(workers: int) -> Iterator[str]:
    """A new database on the server for one measurement, dropped afterwards."""
    name = f"cc_{RUN}_bench_imports_{workers}"
    admin = create_engine(normalise_url(SERVER), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(SERVER)).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def running_workers(env: dict[str, str], count: int, folder: Path) -> Iterator[None]:
    """``count`` worker commands of one process each, waiting on the queue."""
    logs = [folder / f"worker-{n}.log" for n in range(count)]
    processes = [subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker",
                                   "--workers", "1"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=log.open("w"),
                                  start_new_session=True) for log in logs]
    try:
        deadline = time.monotonic() + 120
        while not all("task worker" in log.read_text() for log in logs):  # each one up
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise SystemExit("a worker did not start: " + " ".join(
                    log.read_text()[-1000:] for log in logs))
            time.sleep(0.1)
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def counts(url: str) -> dict[str, int]:
    queries = {
        "issued rows": "select count(*) from import_rows where state = 'issued'",
        "rows not issued": "select count(*) from import_rows where state <> 'issued'",
        "credentials": "select count(*) from credentials",
        "completions": "select count(*) from completions",
        "distinct credentials of rows": "select count(distinct credential_id) from import_rows",
        "distinct learners": "select count(distinct learner_email) from completions",
        "status positions used twice": "select count(*) from (select status_list_id, position "
                                       "from status_entries group by 1, 2 "
                                       "having count(*) > 1) as reused",
    }
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(sql)).scalar_one()
                    for name, sql in queries.items()}
    finally:
        engine.dispose()


def measure(workers: int, rows: int, folder: Path) -> float:
    """Seconds from the job queued to the job finished, with ``workers`` workers."""
    instance = folder / f"workers-{workers}"
    instance.mkdir()
    with database(workers) as url:
        queue = f"bench-imports-{RUN}-{workers}"
        env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": url,
               "TASK_QUEUE_URL": REDIS, "TASK_QUEUE_NAME": queue,
               "PUBLIC_BASE_URL": "https://credentials.example.org", "PYTHONPATH": str(ROOT)}
        env.pop("KEY_ENCRYPTION_KEY", None)
        flask(env, "init")
        env["CC_TOKEN"] = flask(env, "issuers", "create", "riverbend",
                                "--name", "Riverbend")["token"]
        cohort = folder / "cohort.csv"
        engine = create_engine(normalise_url(url))
        try:
            with running_workers(env, workers, instance):
                job = flask(env, "completions", "import", str(cohort), "--issuer", "riverbend",
                            "--background")
                start = time.perf_counter()
                while True:
                    with engine.connect() as connection:
                        if connection.execute(text(
                                "select finished_at is not null from import_jobs where id = :id"),
                                {"id": job["id"]}).scalar_one():
                            break
                    time.sleep(0.1)
                seconds = time.perf_counter() - start
        finally:
            engine.dispose()
            forget_queue(queue)
        found = counts(url)
    expected = {name: rows for name in found} | {"rows not issued": 0,
                                                 "status positions used twice": 0}
    if found != expected:
        raise SystemExit(f"{workers} workers: not every row exactly once: {found}")
    return seconds


def forget_queue(name: str) -> None:
    """Remove the run's queue from the shared Redis (tasks the sweeps sent late)."""
    from huey import RedisHuey

    RedisHuey(name, url=REDIS).storage.flush_all()


def unreachable() -> str | None:
    """Why the bench cannot run here (no PostgreSQL or no Redis), or None."""
    import redis
    from sqlalchemy.exc import OperationalError

    try:
        engine = create_engine(normalise_url(SERVER))
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError:
        return f"no PostgreSQL at {make_url(SERVER).render_as_string()} (BENCH_DATABASE_URL)"
    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.RedisError:
        return f"no Redis at {REDIS} (BENCH_REDIS_URL)"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000,
                        help="rows in the import (issue #15 measures 10000)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    args = parser.parse_args()
    counts_wanted = [int(n) for n in args.workers.split(",")]
    why = unreachable()
    if why:
        print(f"import bench skipped: {why}")
        return
    print(f"import of {args.rows} rows, PostgreSQL store, Redis queue, "
          f"{os.cpu_count()} cores here")
    print(f"{'workers':>7}  {'seconds':>8}  {'rows/s':>8}  {'x 1 worker':>10}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        write_cohort(folder / "cohort.csv", args.rows)
        base = None
        for workers in counts_wanted:
            rate = args.rows / measure(workers, args.rows, folder)
            base = base or rate
            print(f"{workers:>7}  {args.rows / rate:>8.1f}  {rate:>8.1f}  {rate / base:>10.2f}",
                  flush=True)
    print(f"each run: {args.rows} credentials, every row issued exactly once")


if __name__ == "__main__":
    main()
