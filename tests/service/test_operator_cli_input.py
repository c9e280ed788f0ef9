"""The operator's commands hold text to the API's rules: control characters, values too long
for the store and a CSV that is not UTF-8 are refusals in one line, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer.operations.cli import _field_message


def run(service, *args: str):
    return service.app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize("args", [
    ("issuers", "create", "acme", "--name", "Ac\u0000me"),
    ("issuers", "create", "acme", "--name", "Acme", "--url", "https://acme.example/\u0007"),
    ("tokens", "create", "--issuer", "riverbend", "--role", "admin", "--label", "x\u0000"),
])
def test_control_characters_are_refused(service, args: tuple[str, ...]) -> None:
    result = run(service, *args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_a_value_too_long_for_the_store_is_a_refusal(service) -> None:
    result = run(service, "tokens", "create", "--issuer", "riverbend", "--role", "admin",
                 "--label", "x" * 5000)
    assert result.exit_code in (0, 1), result.output  # SQLite keeps it; PostgreSQL refuses
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert json.loads(result.output.splitlines()[-1])["error"]


def test_a_csv_that_is_not_utf8_is_named(service, tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.csv"
    cohort.write_bytes("learner_name,learner_email\nJosé,j@example.org\n".encode("latin-1"))
    result = run(service, "completions", "import", str(cohort), "--issuer", "riverbend",
                 "--token", service.assessor)
    assert result.exit_code == 1, result.output
    assert "is not UTF-8 text" in result.output


def test_a_row_error_names_its_field_once() -> None:
    assert _field_message("level", "Level: choose emerging or developing") == (
        "level: choose emerging or developing")
    assert _field_message("/email", "not an email address") == "email: not an email address"
