"""A cohort of 5,000 rows through `flask completions import`, killed (SIGKILL) at a random
point and run again: the bad rows are reported, and every valid row is issued exactly once.

The kill point comes from a seed, printed with the test's output when it fails; set TEST_SEED to
that number to aim at the same point again."""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from issuer.store import normalise_url
from tests.service.conftest import MODEL
from tests.service.live import BIN, ROOT, flask, service_env

ROWS = 5000
COMPETENCIES = ["de-escalation", "patient-vitals", "cpr-and-first-aid", "trauma-informed-care"]
LEVELS = ["emerging", "developing", "proficient", "advanced"]
BAD = {  # what is wrong with every 250th row, in turn, and the column it is reported under
    0: ("level", lambda row: {**row, "level": "expert"}),
    1: ("competency", lambda row: {**row, "competency": f"{MODEL}/juggling"}),
    2: ("completed_on", lambda row: {**row, "completed_on": "2999-01-01"}),
    3: ("learner_email", lambda row: {**row, "learner_email": "nobody"}),
    4: ("learner_name", lambda row: {**row, "learner_name": ""}),
}


def cohort(path: Path, rows: int = ROWS) -> set[tuple[int, str]]:
    """Write the CSV; return the (row, column) pairs its bad rows must be reported under."""
    expected = set()
    lines = ["learner_name,learner_email,competency,level,completed_on,evidence"]
    for number in range(1, rows + 1):
        row = {"learner_name": f"Technician {number}",
               "learner_email": f"tech{number}@example.com",
               "competency": f"{MODEL}/{COMPETENCIES[number % 4]}",
               "level": LEVELS[number % 4], "completed_on": "2026-10-15",
               "evidence": f"Observed on shift {number}"}
        if number % 250 == 0:
            column, spoil = BAD[(number // 250) % 5]
            row = spoil(row)
            expected.add((number, column))
        lines.append(",".join(row.values()))
    path.write_text("\n".join(lines) + "\n")
    return expected


def counter(env: dict[str, str], instance: Path) -> Callable[[str], int]:
    """Counts rows of the store the CLI writes to, whichever it is."""
    url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'credentials.sqlite3'}"
    engine = create_engine(normalise_url(url))

    def count(sql: str) -> int:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar_one()

    return count


@pytest.fixture
def kill_after() -> int:
    """How many issued rows the first run gets before it is killed: from TEST_SEED if set, else
    from a fresh seed; the seed is printed (pytest shows it when the test fails)."""
    seed = int(os.environ.get("TEST_SEED") or random.SystemRandom().randrange(2**32))
    print(f"kill point seed: TEST_SEED={seed}")
    return random.Random(seed).randint(50, 2000)


def test_a_killed_import_resumes_exactly_once(tmp_path: Path, kill_after: int) -> None:
    with service_env(tmp_path, "https://credentials.example.org") as env:
        import_killed_and_resumed(env, tmp_path, kill_after)


def import_killed_and_resumed(env: dict[str, str], tmp_path: Path, kill_after: int) -> None:
    flask(env, "init")
    env["CC_TOKEN"] = flask(env, "issuers", "create", "riverbend", "--name", "Riverbend")["token"]
    csv_file = tmp_path / "cohort.csv"
    expected_errors = cohort(csv_file)
    count = counter(env, tmp_path)
    command = [str(BIN / "flask"), "--app", "wsgi", "completions", "import", str(csv_file),
               "--issuer", "riverbend"]

    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and first.poll() is None:
        try:
            if count("select count(*) from import_rows where state = 'issued'") >= kill_after:
                break
        except DBAPIError:
            pass  # the job's tables are not there yet
        time.sleep(0.05)
    first.kill()
    first.wait()
    issued_before = count("select count(*) from credentials")
    assert 0 < issued_before < ROWS - len(expected_errors), (kill_after, issued_before)

    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    valid = ROWS - len(expected_errors)
    assert (summary["status"], summary["total"], summary["valid"], summary["issued"],
            summary["invalid"], summary["failed"]) == ("done", ROWS, valid, valid,
                                                       len(expected_errors), 0)
    reported = {(int(line.split(":")[0].removeprefix("row ")), line.split(": ")[1])
                for line in second.stderr.splitlines() if line.startswith("row ")}
    assert reported == expected_errors

    assert count("select count(*) from completions") == valid
    assert count("select count(*) from credentials") == valid
    assert count("select count(distinct credential_id) from import_rows "
                           "where state = 'issued'") == valid
    assert count("select count(*) from credentials c left join completions p "
                           "on p.id = c.completion_id where p.id is null") == 0
    assert count("select count(*) from (select status_list_id, position "
                           "from status_entries group by 1, 2 having count(*) > 1) as reused") == 0
    assert count("select count(distinct learner_email) from completions") == valid
