"""A second occupation at the desk, in Chromium against gunicorn, imported while the server
runs: a tier mixing training types is offered, groups name their model, each row offers only
its model's levels, a competency without statements says the credential cites it alone, each
framework is credited in its own words, and the share page says the same; axe stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.service.live import LiveServer, flask, live_server
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (a fixture)
from tests.service.test_second_occupation import DRONE, variant

RECENT = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
DLI = "mn-dli-psychiatric-mental-health-technician-inpatient"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn with the second occupation imported by the operator's CLI as it runs."""
    serving = live_server(tmp_path / "instance")
    live = next(serving)
    files = variant(tmp_path)
    flask(live.env, "frameworks", "import",
          *(str(files / name) for name in ("model.csv", "framework.lerme.json",
                                           "crosswalk.csv")))
    yield live
    next(serving, None)


def _levels(row) -> list[str]:
    """The levels offered, after the "Choose a level" every list starts with (none is
    preselected: an assessor who forgets to choose is told, not recorded at a default)."""
    choose, *levels = row.get_by_label("Level assessed").locator("option").all_inner_texts()
    assert choose == "Choose a level"
    return levels


def test_the_desk_records_a_second_occupation_beside_the_first(
        server: LiveServer, browser_page) -> None:  # noqa: F811
    page, base = browser_page, server.base
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/desk")
    page.get_by_label("API token").fill(server.assessor)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Learner's name", exact=True).fill("Sam Okafor")
    page.get_by_label("Learner's email", exact=True).fill("sam.okafor@example.com")

    first = page.get_by_role("group", name="Competency 1", exact=True)
    competency = first.get_by_label("Competency", exact=True)
    assert competency.locator(
        'optgroup[label="Drone Survey Technician — Occupation-Specific Competencies"] option'
    ).all_inner_texts() == ["Pre-flight checks",
                            "Survey data processing (no level statements)"]  # a mixed tier
    assert len(_levels(first)) == 7  # no competency yet: every model's levels
    assert first.get_by_label("Level assessed").input_value() == ""  # no default level
    competency.select_option(label="Survey data processing (no level statements)")
    assert _levels(first) == ["Foundational", "Working", "Expert"]
    first.get_by_label("Level assessed").select_option(label="Working")
    assert page.locator("#statement-0").inner_text() == (
        "No level statements are crosswalked to this competency: the credential cites the "
        "competency alone.")
    first.get_by_label("Completed on").fill(RECENT)

    page.get_by_role("button", name="Add another competency").click()
    second = page.get_by_role("group", name="Competency 2", exact=True)
    assert _levels(page.get_by_role("group", name="Competency 1", exact=True)) == [
        "Foundational", "Working", "Expert"]  # kept as chosen when shown again
    second.get_by_label("Competency", exact=True).select_option(f"{DRONE}/de-escalation")
    second.get_by_label("Level assessed").select_option(label="Expert")
    assert page.locator("#statement-1").inner_text() == (
        "No Expert statement is crosswalked to this competency: at this level the credential "
        "cites the competency alone.")
    second.get_by_label("Level assessed").select_option(label="Foundational")
    assert page.locator("#statement-1").inner_text() == (
        "Batteries — charge and store by the written procedure.")
    second.get_by_label("Competency", exact=True).select_option(f"{DLI}/de-escalation")
    assert _levels(second) == ["Emerging", "Developing", "Proficient", "Advanced"]
    second.get_by_label("Level assessed").select_option(label="Proficient")
    assert page.locator("#statement-1").inner_text().strip()
    second.get_by_label("Completed on").fill(RECENT)
    credits = page.locator("p.attribution").all_inner_texts()
    assert any(c.startswith("Level statements for Drone Survey Technician: ")
               and c.endswith("© Example Attribution") for c in credits)
    assert any("O*NET v30.2 (CC BY 4.0)" in c and c.endswith("© EBSCOed") for c in credits)
    accessible(page, "desk-second-occupation")

    page.get_by_role("button", name="Record and issue").click()
    issued = page.get_by_role("status").first
    assert issued.inner_text().startswith("Recorded and issued 2 credentials for Sam Okafor")
    issued.get_by_role("link", name="Survey data processing").click()
    page.get_by_text("Verified just now").wait_for()
    assert page.get_by_text("No Working level statement is crosswalked to this competency: "
                            "this credential cites the competency alone.").is_visible()
    assert page.locator("p.attribution").count() == 0
    accessible(page, "share-competency-alone")
