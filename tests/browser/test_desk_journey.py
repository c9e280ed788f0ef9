"""A training coordinator's day at the desk, in Chromium against gunicorn: three competencies
for one technician at once, a cohort uploaded through its preview to issue, a revocation
confirmed with its reason shown; Revoke and Suspend within the viewport at 1280 px, the page
usable at 414 px, and no serious or critical axe violation on any page (screenshots go to
ARTIFACTS_DIR like the other browser tests')."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loadtest.listeners import listener
from tests.service.live import LiveServer, _serve, flask, service_env
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (a fixture)

RECENT = (datetime.now(UTC).date() - timedelta(days=2)).isoformat()
EXPECT_TIMEOUT = 60_000  # the job runner issues in the background


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn on a fresh store whose issuer gives credentials a suspension entry."""
    with listener() as sock:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with service_env(tmp_path, base) as env:
            serving = _serve(env, sock, base, tmp_path)
            live = next(serving)
            flask(env, "issuers", "update", "riverbend", "--suspension")
            yield live
            next(serving, None)


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def _fill_row(page, number: int, competency: str, level: str) -> None:
    row = page.get_by_role("group", name=f"Competency {number}", exact=True)
    row.get_by_label("Competency", exact=True).select_option(label=competency)
    row.get_by_label("Level assessed").select_option(label=level)
    row.get_by_label("Completed on").fill(RECENT)


def test_coordinator_records_uploads_and_revokes(server: LiveServer, browser_page,  # noqa: F811
                                                 tmp_path: Path) -> None:
    page, base = browser_page, server.base
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/desk")
    page.get_by_label("API token").fill(server.created["token"])
    page.get_by_role("button", name="Sign in").click()

    # Three competencies for one technician, typed once.
    page.get_by_label("Learner's name", exact=True).fill("Jordan Rivera")
    page.get_by_label("Learner's email", exact=True).fill("jordan@example.org")
    _fill_row(page, 1, "De-escalation", "Proficient")
    assert page.locator("#statement-0").inner_text().strip()  # the level's statements
    page.get_by_role("button", name="Add another competency").click()
    _fill_row(page, 2, "Patient vitals", "Developing")
    page.get_by_role("button", name="Add another competency").click()
    _fill_row(page, 3, "CPR and first aid", "Advanced")
    assert "expires 2 years after completion" in page.locator("#validity-2").inner_text()
    accessible(page, "desk-three-rows")
    page.get_by_role("button", name="Record and issue").click()
    issued = page.get_by_role("status").first
    assert issued.inner_text().startswith("Recorded and issued 3 credentials for Jordan Rivera")
    assert issued.get_by_role("link").count() == 3
    accessible(page, "desk-three-issued")

    # A problem keeps what was typed and says it in words.
    page.get_by_label("Learner's name", exact=True).fill("Sam Lee")
    page.get_by_label("Learner's email", exact=True).fill("sam@example.org")
    _fill_row(page, 1, "De-escalation", "Emerging")
    page.get_by_label("Completed on").fill("2025-09-01")
    page.get_by_role("button", name="Record and issue").click()
    alert = page.get_by_role("alert")
    assert "Completed on: 1 September 2025 is before this competency model existed" in \
        alert.inner_text()
    assert page.get_by_label("Learner's email", exact=True).input_value() == "sam@example.org"
    assert page.evaluate("document.activeElement.id") == "problems"  # read first
    accessible(page, "desk-problem")

    # A cohort: the template, a file with one bad row, the preview, then issue.
    page.get_by_role("link", name="Upload a cohort (CSV)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV template").click()
    template = download.value.path().read_text()
    assert template.startswith("learner_name,learner_email,competency,level,completed_on")
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(
        "learner_name,learner_email,competency,level,completed_on\n"
        f"Ana Ruiz,ana@example.org,De-escalation,PROFICIENT,{RECENT}\n"
        f"Ben Ode,ben@example.org,patient-vitals,developing,{RECENT}\n"
        f"Cy Park,cy@example,Patient vitals,Developing,{RECENT}\n")
    accessible(page, "cohort-upload")
    page.get_by_label("CSV file").set_input_files(str(cohort))
    page.get_by_role("button", name="Preview").click()
    assert "3 rows: 2 ready to issue, 1 with problems (left out)." in \
        page.get_by_role("status").inner_text()
    assert page.get_by_text("Learner email: enter an email address like name@example.org")\
        .is_visible()
    accessible(page, "cohort-preview")
    page.get_by_role("button", name="Issue 2 credentials").click()
    page.get_by_text("Done: 2 issued.").wait_for(timeout=EXPECT_TIMEOUT)
    assert page.locator("progress").get_attribute("value") == "2"
    accessible(page, "cohort-done")

    # The table at 1280 px: names, and Revoke and Suspend on screen without scrolling sideways.
    page.goto(f"{base}/desk")
    table = page.locator("table.credentials")
    assert table.get_by_text("Ana Ruiz").count() == 1
    row = page.get_by_role("row").filter(has_text="CPR and first aid")
    revoke = row.get_by_role("link", name=re.compile("^Revoke"))
    suspend = row.get_by_role("link", name=re.compile("^Suspend"))
    assert _in_viewport(page, revoke) and _in_viewport(page, suspend)
    accessible(page, "desk-table-1280")

    # Revoke asks first; the reason shows afterwards.
    revoke.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Revoke this credential?"
    page.get_by_label("Reason").fill("assessed by mistake")
    accessible(page, "desk-revoke-confirm")
    page.get_by_role("button", name="Revoke for good").click()
    assert "Reason: assessed by mistake" in page.get_by_role("status").first.inner_text()
    revoked = page.get_by_role("row").filter(has_text="CPR and first aid")
    assert "Revoked" in revoked.inner_text() and "Reason: assessed by mistake" in \
        revoked.inner_text()
    assert revoked.get_by_role("link", name=re.compile("^Revoke")).count() == 0
    accessible(page, "desk-revoked-reason")

    # A phone: the form and the table still work.
    page.set_viewport_size({"width": 414, "height": 896})
    page.goto(f"{base}/desk")
    assert page.evaluate("document.documentElement.scrollWidth") <= 414
    page.get_by_label("Search by learner, email or competency").fill("Ana")
    page.get_by_role("button", name="Show").click()
    assert "Showing 1–1 of 1 matching." in page.locator("#showing").inner_text()
    accessible(page, "desk-phone")
