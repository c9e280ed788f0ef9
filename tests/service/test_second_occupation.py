"""A second, made-up occupation goes from files to verified credentials with no code change:
imported by the CLI (a CSV model, a three-level LER.me-shaped framework, a CSV crosswalk that
leaves one competency without statements), recorded through the API and the desk, issued,
verified, gathered in a CLR and completed as a programme, next to the DLI model."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

from jsonschema import Draft201909Validator
from sqlalchemy import func, select

from issuer.operations import tasks
from issuer.store import store
from issuer.store.models import Completion, FrameworkDocument
from tests.service.conftest import BASE, MODEL, completion_body
from tests.service.test_errors import assert_problem

DATA = Path(__file__).resolve().parents[1] / "data" / "second_occupation"
DRONE = "example-drone-survey-technician"
COMPETENCIES = ["airspace-rules", "battery-safety", "pre-flight-checks",
                "survey-data-processing"]
EMAIL = "sam.okafor@example.com"


def cli(service, *args: str):
    return service.app.test_cli_runner().invoke(args=list(args))


def import_second(service, *extra: str, directory: Path = DATA):
    files = [str(directory / name) for name in ("model.csv", "framework.lerme.json",
                                                "crosswalk.csv")]
    result = cli(service, "frameworks", "import", *files, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def complete(service, competency: str, level: str = "working", email: str = EMAIL):
    return service.client.post(
        "/api/v1/issuers/riverbend/completions",
        json=completion_body(competency=f"{DRONE}/{competency}", level=level,
                             learner={"name": "Sam Okafor", "email": email}),
        headers=service.auth(service.assessor))


def verify(service, credential: dict) -> tuple[int, dict]:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


def stored_rows(service) -> int:
    with store(service.app).sessions() as db:
        return db.scalar(select(func.count()).select_from(FrameworkDocument))


def test_dry_run_then_import_then_again_changes_nothing(service) -> None:
    before = stored_rows(service)
    dry = import_second(service, "--dry-run")
    assert dry["dryRun"] is True
    assert {(c["kind"], c["action"]) for c in dry["changes"]} == {
        ("model", "added"), ("framework", "added"), ("crosswalk", "added")}
    assert stored_rows(service) == before
    done = import_second(service)
    assert {c["id"]: c["version"] for c in done["changes"]} == {
        DRONE: "2026-04-02", "onet-17-3031.99-drone-survey-technicians": "v.26.04",
        "example-drone-to-17-3031.99": "1"}
    assert stored_rows(service) == before + 3
    again = import_second(service)
    assert {c["action"] for c in again["changes"]} == {"unchanged"}
    assert stored_rows(service) == before + 3
    listed = json.loads(cli(service, "frameworks", "list").output)["versions"]
    assert {(v["id"], v["current"]) for v in listed} >= {(DRONE, True), (MODEL, True)}
    shown = json.loads(cli(service, "frameworks", "show", DRONE).output)
    assert [level["id"] for level in shown["levelFramework"]["levels"]] == [
        "foundational", "working", "expert"]
    assert shown["requiredLevel"] == "working"
    assert [c["id"] for c in shown["competencies"] if c["withoutStatements"]] == [
        "survey-data-processing"]
    assert cli(service, "frameworks", "show", "no-such-model").exit_code == 1


def test_the_framework_levels_are_the_ones_accepted(service) -> None:
    import_second(service)
    refused = complete(service, "airspace-rules", "developing")
    problem = assert_problem(refused, 422)
    assert problem["errors"][0]["pointer"] == "/level"
    assert "Level: choose foundational, working or expert" in problem["detail"]
    assert complete(service, "airspace-rules", "expert").status_code == 201
    dli = service.client.post("/api/v1/issuers/riverbend/completions",
                              json=completion_body(level="expert"),
                              headers=service.auth(service.assessor))
    assert "choose emerging, developing, proficient or advanced" in \
        assert_problem(dli, 422)["detail"]


def test_issue_verify_and_follow_every_citation_to_case(service) -> None:
    import_second(service)
    response = complete(service, "airspace-rules")
    assert response.status_code == 201, response.get_json()
    credential = response.get_json()["credential"]
    assert verify(service, credential)[0] == 200
    achievement = credential["credentialSubject"]["achievement"]
    edition = achievement["id"].rsplit("/", 1)[1]
    assert achievement["id"] == f"{BASE}/achievements/{DRONE}/airspace-rules/{edition}"
    page = service.client.get(achievement["id"].removeprefix(BASE)).get_json()
    assert page["id"] == achievement["id"] and page["name"] == "Airspace rules"
    competency = next(a for a in achievement["alignment"] if a["targetType"] == "CFItem")
    assert competency["targetCode"] == f"{DRONE}/airspace-rules"
    item = service.client.get(competency["targetUrl"].removeprefix(BASE)).get_json()
    assert item["uri"] == competency["targetUrl"]
    assert item["fullStatement"] == "Knowledge of the rules for flying in controlled and " \
                                    "uncontrolled airspace."
    working = next(level for level in achievement["resultDescription"][0]
                   ["rubricCriterionLevel"] if level["name"] == "Working")
    cited = working["alignment"][0]
    assert cited["targetType"] == "CFRubricCriterionLevel"
    assert cited["targetDescription"].startswith("Flight rules — plan flights")
    rubric_url, _, level_id = cited["targetUrl"].partition("#")
    rubric = service.client.get(rubric_url.removeprefix(BASE)).get_json()
    levels = [lv for c in rubric["CFRubricCriteria"] for lv in c["CFRubricCriterionLevels"]]
    found = next(lv for lv in levels if lv["identifier"] == level_id)
    assert found["uri"] == cited["targetUrl"] and found["quality"] == "Working"
    assert "© Example Attribution" in found["description"]


def test_a_competency_without_statements_cites_the_competency_alone(service) -> None:
    import_second(service)
    response = complete(service, "survey-data-processing")
    assert response.status_code == 201, response.get_json()
    credential = response.get_json()["credential"]
    assert verify(service, credential)[0] == 200
    achievement = credential["credentialSubject"]["achievement"]
    assert "No level statements are crosswalked to this competency" in \
        achievement["criteria"]["narrative"]
    levels = achievement["resultDescription"][0]["rubricCriterionLevel"]
    assert all(level["alignment"] == [] for level in levels)
    assert all("cites the competency of the Competency Model for Drone Survey Technician"
               in level["description"] for level in levels)
    assert [a["targetType"] for a in achievement["alignment"]] == [
        "CFItem", "ext:OnetSocOccupation"]


def test_programme_certificate_follows_the_models_rule_and_a_clr_holds_it(service,
                                                                         standards) -> None:
    import_second(service)
    assert complete(service, "battery-safety", "foundational").status_code == 201
    issued = [complete(service, c).get_json() for c in COMPETENCIES[:-1]]
    assert all("programmeCredential" not in r for r in issued)
    last = complete(service, COMPETENCIES[-1]).get_json()
    programme = last["programmeCredential"]
    document = service.client.get(f"/credentials/{programme['credentialId']}").get_json()
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{BASE}/achievements/{DRONE}"
    assert "at Working level or above" in achievement["description"]
    assert verify(service, document)[0] == 200
    served = service.client.get(achievement["id"].removeprefix(BASE))
    assert served.status_code == 200 and served.get_json()["name"] == achievement["name"]
    case = next(a for a in achievement["alignment"] if a["targetType"] == "ext:CFDocument")
    cf_document = service.client.get(case["targetUrl"].removeprefix(BASE)).get_json()
    assert cf_document["identifier"] == case["targetCode"]
    assert cf_document["adoptionStatus"] == "Adopted"
    schema = json.loads((standards / "schemas" / "ob_v3p0" /
                         "ob_v3p0_achievementcredential_schema.json").read_text())
    assert list(Draft201909Validator(schema).iter_errors(document)) == []
    dli = service.client.post(
        "/api/v1/issuers/riverbend/completions",
        json=completion_body(learner={"name": "Sam Okafor", "email": EMAIL}),
        headers=service.auth(service.assessor))
    assert dli.status_code == 201
    ids = [r["credentialId"] for r in [*issued, last]]
    clr = service.client.post("/api/v1/issuers/riverbend/learners/clr",
                              json={"email": EMAIL, "credentialIds": ids},
                              headers=service.auth(service.assessor))
    assert clr.status_code == 201, clr.get_json()
    record = clr.get_json()["credential"]
    assert len(record["credentialSubject"]["verifiableCredential"]) == 4
    assert any(a["sourceId"].startswith(f"{BASE}/achievements/{DRONE}/")
               for a in record["credentialSubject"].get("association", []))
    assert verify(service, record)[0] == 200
    held = {a["id"] for a in record["credentialSubject"].get("achievement", [])}
    placed = {a[end] for a in record["credentialSubject"].get("association", [])
              for end in ("sourceId", "targetId")}
    tiers = {i for i in held | placed if "/tiers/" in i}
    assert tiers
    for identifier in held | placed:  # every achievement id the record holds resolves
        assert service.client.get(identifier.removeprefix(BASE)).status_code == 200, identifier
    assert service.client.get(f"/achievements/{DRONE}/tiers/nope").status_code == 404
    assert service.client.get(f"/achievements/{MODEL}").status_code == 200


def test_the_desk_offers_the_second_model_and_its_levels(service) -> None:
    import_second(service)
    client = service.client
    csrf = re.search(r'name="csrf" value="([^"]+)"',
                     client.get("/desk").get_data(as_text=True)).group(1)
    client.post("/desk/sign-in", data={"csrf": csrf, "token": service.assessor})
    page = client.get("/desk").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # a new one per sign-in
    assert f'value="{DRONE}/pre-flight-checks"' in page
    assert "Foundational" in page and "Emerging" in page
    recorded = client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "Sam Okafor", "learner_email": EMAIL,
        "competency": f"{DRONE}/pre-flight-checks", "level": "expert",
        "completed_on": "2026-11-02"})
    assert recorded.status_code == 302
    with store(service.app).sessions() as db:
        recorded_levels = db.scalars(select(Completion.level)
                                     .where(Completion.model_id == DRONE)).all()
    assert recorded_levels == ["expert"]


def test_a_bad_file_is_named_by_line_and_nothing_is_written(service, tmp_path: Path) -> None:
    before = stored_rows(service)
    for name in ("model.csv", "framework.lerme.json", "crosswalk.csv"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    text = (tmp_path / "model.csv").read_text()
    (tmp_path / "model.csv").write_text(text.replace("on-the-job,Pre-flight",
                                                     "apprenticeship,Pre-flight"))
    result = cli(service, "frameworks", "import", *(str(tmp_path / n) for n in (
        "model.csv", "framework.lerme.json", "crosswalk.csv")))
    assert result.exit_code == 1
    assert "model.csv: line 12: training type: 'apprenticeship'" in result.output
    (tmp_path / "model.csv").write_text(text)
    crosswalk = (tmp_path / "crosswalk.csv").read_text()
    (tmp_path / "crosswalk.csv").write_text(crosswalk.replace("battery-safety,foundational,2",
                                                              "battery-safety,foundational,9"))
    result = cli(service, "frameworks", "import", *(str(tmp_path / n) for n in (
        "model.csv", "framework.lerme.json", "crosswalk.csv")))
    assert result.exit_code == 1
    assert "no statement 'foundational-9'" in result.output
    assert stored_rows(service) == before


def test_a_new_version_becomes_current_and_the_old_one_stays_served(service,
                                                                    tmp_path: Path) -> None:
    import_second(service)
    old = complete(service, "battery-safety").get_json()["credential"]
    old_achievement = old["credentialSubject"]["achievement"]
    old_item = old_achievement["alignment"][0]["targetUrl"]
    (tmp_path / "model.csv").write_text((DATA / "model.csv").read_text()
                                        .replace("2026-04-02", "2026-09-01")
                                        .replace("Safe charging,", "Safe charging, checking,"))
    changed = cli(service, "frameworks", "import", str(tmp_path / "model.csv"))
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.output)["changes"][0]["action"] == "new-version"
    new = complete(service, "battery-safety").get_json()["credential"]
    new_achievement = new["credentialSubject"]["achievement"]
    assert new_achievement["id"] != old_achievement["id"]
    assert new_achievement["description"].startswith("Safe charging, checking,")
    kept = service.client.get(old_achievement["id"].removeprefix(BASE)).get_json()
    assert kept["description"] == old_achievement["description"]
    assert "checking" not in kept["description"]
    assert service.client.get(old_item.removeprefix(BASE)).status_code == 200
    assert verify(service, old)[0] == 200 and verify(service, new)[0] == 200
    same_version = (tmp_path / "model.csv").read_text().replace("checking,", "testing,")
    (tmp_path / "model.csv").write_text(same_version)
    refused = cli(service, "frameworks", "import", str(tmp_path / "model.csv"))
    assert refused.exit_code == 1 and "give the changed file a new version" in refused.output


def _files(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "content": (DATA / name).read_text()} for name in names]


def test_the_admin_api_imports_for_its_issuer_only(service) -> None:
    files = _files("model.csv", "framework.lerme.json", "crosswalk.csv")
    url = "/api/v1/issuers/riverbend/frameworks"
    assert_problem(service.client.post(url, json={"files": files},
                                       headers=service.auth(service.assessor)), 403)
    dry = service.client.post(url, json={"files": files, "dryRun": True},
                              headers=service.auth(service.admin))
    assert dry.status_code == 200 and dry.get_json()["dryRun"] is True
    assert service.client.get(f"/api/v1/frameworks/{DRONE}").status_code == 404
    done = service.client.post(url, json={"files": files}, headers=service.auth(service.admin))
    assert done.status_code == 200, done.get_json()
    assert service.client.get(f"/api/v1/frameworks/{DRONE}").status_code == 200
    other = service.client.post("/api/v1/issuers/lakeside/frameworks", json={"files": files},
                                headers=service.auth(service.other_admin))
    assert "imported by the operator or another issuer" in assert_problem(other, 403)["detail"]
    operators = (DATA / "model.csv").read_text().replace(DRONE, MODEL, 1)
    dli = service.client.post(url, json={"files": [{"name": "model.csv",
                                                     "content": operators}]},
                              headers=service.auth(service.admin))
    assert f"model {MODEL!r} was imported by the operator" in assert_problem(dli, 403)["detail"]
    broken = service.client.post(url, json={"files": [
        {"name": "model.csv", "content": "id,x\n\ntier,training type\n"}]},
        headers=service.auth(service.admin))
    problem = assert_problem(broken, 422)
    assert problem["errors"][0]["pointer"] == "/files/0/content"
    assert problem["detail"].startswith("model.csv: ")
    framework = json.loads((DATA / "framework.lerme.json").read_text())
    framework["framework"]["version"] = "v.26.05"
    framework["framework"]["levels"]["working"]["statements"][0] = "Flight\u0000rules"
    nul = service.client.post(url, json={"files": [{"name": "f.json",
                                                    "content": json.dumps(framework)}]},
                              headers=service.auth(service.admin))
    assert "control character (U+0000)" in assert_problem(nul, 422)["detail"]
    audit = service.client.get("/api/v1/issuers/riverbend/audit?action=frameworks.import",
                               headers=service.auth(service.admin)).get_json()
    assert len(audit["events"]) == 1


def variant(directory: Path) -> Path:
    """The second occupation as a newcomer might write it: a tier mixing related instruction
    and on-the-job training, and a competency sharing a bundled one's name (De-escalation)."""
    model = (DATA / "model.csv").read_text()
    model = model.replace("Occupation-Specific Competencies,on-the-job,Survey",
                          "Occupation-Specific Competencies,related instruction,Survey")
    model = model.replace("Battery safety,", "De-escalation,")
    (directory / "model.csv").write_text(model)
    (directory / "crosswalk.csv").write_text(
        (DATA / "crosswalk.csv").read_text().replace("battery-safety", "de-escalation"))
    (directory / "framework.lerme.json").write_bytes((DATA / "framework.lerme.json")
                                                     .read_bytes())
    return directory


def desk_page(service) -> tuple[str, str]:
    """Sign in as the assessor: (the desk's HTML, its CSRF token)."""
    client = service.client
    csrf = re.search(r'name="csrf" value="([^"]+)"',
                     client.get("/desk").get_data(as_text=True)).group(1)
    client.post("/desk/sign-in", data={"csrf": csrf, "token": service.assessor})
    page = client.get("/desk").get_data(as_text=True)
    return page, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def form_data(page: str) -> dict:
    return json.loads(html.unescape(re.search(
        r'<script type="application/json" id="statements">(.*?)</script>', page, re.S)
        .group(1)))


def test_the_desk_names_each_model_marks_gaps_and_credits_each_framework(
        service, tmp_path: Path) -> None:
    import_second(service, directory=variant(tmp_path))
    page, _csrf = desk_page(service)
    form = page[page.index('<select id="competency-0"'):page.index('<select id="level-0"')]
    groups = re.findall(r'<optgroup label="([^"]+)">', form)
    assert "Drone Survey Technician — Occupation-Specific Competencies" in groups  # mixed
    assert "Drone Survey Technician — Industry-Sector Technical Competencies" in groups
    assert any(g.startswith("Psychiatric/Mental Health Technician In-Patient — ")
               for g in groups)
    for competency in COMPETENCIES[2:]:  # the mixed tier's two
        assert f'value="{DRONE}/{competency}"' in form
    assert re.search(rf'value="{DRONE}/survey-data-processing">Survey data processing '
                     r'\(no level statements\)</option>', form)
    assert re.search(rf'value="{MODEL}/de-escalation">De-escalation</option>', form)
    data = form_data(page)
    assert data["withoutStatements"] == [f"{DRONE}/survey-data-processing"]
    assert [level["id"] for level in data["levels"][DRONE]] == [
        "foundational", "working", "expert"]
    assert [level["label"] for level in data["levels"][MODEL]] == [
        "Emerging", "Developing", "Proficient", "Advanced"]
    assert data["statements"][DRONE]["de-escalation"]["working"] == []
    credits = [html.unescape(c) for c in re.findall(r'<p class="attribution">([^<]+)</p>', page)]
    assert len(credits) == 2
    assert any("for Drone Survey Technician:" in c and "© Example Attribution" in c
               and "EBSCOed" not in c for c in credits)
    assert any("for Psychiatric/Mental Health Technician In-Patient:" in c
               and "O*NET v30.2 (CC BY 4.0)" in c and "© EBSCOed" in c for c in credits)
    table_filter = page[page.index('<select id="filter_competency"'):]
    assert '<optgroup label="Drone Survey Technician">' in table_filter


def test_the_desk_alone_still_credits_the_bundled_framework(service) -> None:
    page, _csrf = desk_page(service)
    credits = re.findall(r'<p class="attribution">([^<]+)</p>', page)
    assert len(credits) == 1
    assert credits[0].startswith("Level statements: O*NET v30.2 (CC BY 4.0)")
    assert html.unescape(credits[0]).endswith("© EBSCOed")
    assert "<optgroup" not in page[page.index('<select id="level-0"'):
                                   page.index('<label for="completed_on-0"')]


def test_a_refused_row_keeps_its_level_selected_once(service) -> None:
    import_second(service)
    _page, csrf = desk_page(service)
    shown = service.client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "Sam Okafor", "learner_email": EMAIL,
        "competency": f"{DRONE}/pre-flight-checks", "level": "expert",
        "completed_on": "1999-01-01", "action": "record"})
    assert shown.status_code == 422
    page = shown.get_data(as_text=True)
    levels = page[page.index('<select id="level-0"'):page.index('<label for="completed_on-0"')]
    assert levels.count(" selected") == 1
    drone = levels[levels.index('<optgroup label="Drone Survey Technician">'):]
    assert '<option value="expert" selected>Expert</option>' in drone


def test_cohort_rows_naming_a_shared_competency_must_name_the_model(service,
                                                                   tmp_path: Path) -> None:
    import_second(service, directory=variant(tmp_path))
    _page, csrf = desk_page(service)
    text = ("learner_name,learner_email,competency,level,completed_on,model\n"
            "Ana Ruiz,ana@example.org,De-escalation,Developing,2026-11-02,\n"
            f"Ben Ode,ben@example.org,De-escalation,Working,2026-11-02,{DRONE}\n"
            "Cy Park,cy@example.org,de-escalation,emerging,2026-11-02,"
            "Competency Model for Psychiatric/Mental Health Technician In-Patient\n"
            f"Di Lee,di@example.org,{DRONE}/de-escalation,foundational,2026-11-02,\n"
            "Ed Moss,ed@example.org,De-escalation,Working,2026-11-02,no-such-model\n"
            f"Flo Kim,flo@example.org,Patient vitals,Working,2026-11-02,{DRONE}\n")
    preview = service.client.post("/desk/cohort/preview", data={
        "csrf": csrf, "file": (io.BytesIO(text.encode()), "cohort.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    words = re.sub(r"\s+", " ", html.unescape(preview.get_data(as_text=True)))
    assert "6 rows: 3 ready to issue, 3 with problems (left out)." in words
    assert ("Competency: “De-escalation” is a competency of both the Competency Model for "
            "Psychiatric/Mental Health Technician In-Patient and Competency Model for Drone "
            "Survey Technician (made up for tests); give its id with its model "
            f"(“{MODEL}/de-escalation”) or name the model in the model column") in words
    assert "Model: “no-such-model” is not a competency model" in words
    assert ("Competency: “Patient vitals” is not a competency of the Competency Model for "
            "Drone Survey Technician (made up for tests)") in words
    issued = service.client.post("/desk/cohort/issue", data={
        "csrf": csrf, "csv_text": text, "upload_key": "cohort-shared-names"})
    assert issued.status_code == 302
    assert tasks.run_queued(service.app) >= 1  # what a worker does with the queued job
    with store(service.app).sessions() as db:
        rows = db.execute(select(Completion.learner_email, Completion.model_id,
                                 Completion.level)).all()
    assert sorted(rows) == [("ben@example.org", DRONE, "working"),
                            ("cy@example.org", MODEL, "emerging"),
                            ("di@example.org", DRONE, "foundational")]


def test_a_level_without_statements_is_said_and_not_attributed(service) -> None:
    import_second(service)
    response = complete(service, "battery-safety", "working")  # mapped at foundational only
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()
    achievement = issued["credential"]["credentialSubject"]["achievement"]
    working = next(level for level in achievement["resultDescription"][0]
                   ["rubricCriterionLevel"] if level["name"] == "Working")
    assert working["alignment"] == []
    assert working["description"] == (
        "Working. The crosswalk cites no Working statement for this competency: at this "
        "level the credential cites the competency alone.")
    assert "O*NET" not in working["description"]
    assert "Attribution" not in working["description"]
    assert verify(service, issued["credential"])[0] == 200
    page = service.client.get(f"/credentials/{issued['credentialId']}",
                              headers={"Accept": "text/html"}).get_data(as_text=True)
    words = re.sub(r"\s+", " ", html.unescape(page))
    assert ("No Working level statement is crosswalked to this competency: this credential "
            "cites the competency alone.") in words
    assert "© Example Attribution" not in words and 'class="attribution"' not in page
    assert "Competency Model for Drone Survey Technician" in words  # the model, named
    cited = complete(service, "battery-safety", "foundational").get_json()
    page = service.client.get(f"/credentials/{cited['credentialId']}",
                              headers={"Accept": "text/html"}).get_data(as_text=True)
    words = re.sub(r"\s+", " ", html.unescape(page))
    assert "Batteries — charge and store by the written procedure." in words
    assert "© Example Attribution" in words and "cites the competency alone" not in words
    unmapped = complete(service, "survey-data-processing").get_json()
    words = re.sub(r"\s+", " ", html.unescape(service.client.get(
        f"/credentials/{unmapped['credentialId']}", headers={"Accept": "text/html"})
        .get_data(as_text=True)))
    assert "No Working level statement is crosswalked to this competency" in words


def test_every_import_mistake_comes_back_at_once_with_its_line(service) -> None:
    files = _files("model.csv", "framework.lerme.json", "crosswalk.csv")
    files[2]["content"] = files[2]["content"].replace(
        "battery-safety,foundational,2", "Battery safety,foundational,7").replace(
        "airspace-rules,expert,1", "Climbing,expert,1")
    response = service.client.post("/api/v1/issuers/riverbend/frameworks",
                                    json={"files": files}, headers=service.auth(service.admin))
    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/problems/framework-data")
    assert [(e["file"], e["at"]) for e in problem["errors"]] == [
        ("crosswalk.csv", "line 9"), ("crosswalk.csv", "line 10")]
    assert "no competency 'climbing'" in problem["errors"][0]["detail"]
    assert problem["detail"].startswith("2 mistakes; the first: crosswalk.csv: line 9: ")
    many = [{"name": "model.csv", "content": files[0]["content"].replace(
        "on-the-job,Pre-flight", "apprenticeship,Pre-flight")},
        {"name": "other.json", "content": "[1]"}]
    read = assert_problem(service.client.post(
        "/api/v1/issuers/riverbend/frameworks", json={"files": many},
        headers=service.auth(service.admin)), 422)
    assert [(e["pointer"], e["at"]) for e in read["errors"]] == [
        ("/files/0/content", "line 12"), ("/files/1/content", "/")]



def test_the_cli_reports_every_mistake_at_once(service, tmp_path: Path) -> None:
    (tmp_path / "model.csv").write_text((DATA / "model.csv").read_text().replace(
        "on-the-job,Pre-flight", "apprenticeship,Pre-flight"))
    (tmp_path / "other.json").write_text("[1]")
    result = cli(service, "frameworks", "import", str(tmp_path / "model.csv"),
                 str(tmp_path / "other.json"))
    message = json.loads(result.output.splitlines()[-1])
    assert result.exit_code == 1 and message["error"] == "Competency data refused"
    assert [(e["file"], e["at"]) for e in message["errors"]] == [
        ("model.csv", "line 12"), ("other.json", "/")]
    assert message["detail"].startswith("2 mistakes; the first: model.csv: line 12: ")


def test_frameworks_list_shows_editions_and_show_takes_a_code_or_a_version(service) -> None:
    done = cli(service, "frameworks", "import", *(str(DATA / n) for n in (
        "model.csv", "framework.lerme.json", "crosswalk.csv")))
    assert done.exit_code == 0, done.output
    editions = json.loads(cli(service, "frameworks", "list").output)["editions"]
    drone = [e for e in editions if e["model"] == DRONE]
    assert len(drone) == 1 and drone[0]["current"] is True
    code = drone[0]["edition"]
    by_code = json.loads(cli(service, "frameworks", "show", DRONE, "--edition", code).output)
    by_date = json.loads(cli(service, "frameworks", "show", DRONE, "--edition",
                             drone[0]["modelVersion"]).output)
    assert by_code["edition"] == by_date["edition"] == code
    wrong = cli(service, "frameworks", "show", DRONE, "--edition", "2020-01-01")
    message = json.loads(wrong.output.splitlines()[-1])
    assert wrong.exit_code == 1 and message["error"] == "Not Found"
    assert message["detail"].startswith(f"model {DRONE!r} has no edition '2020-01-01': give")
    assert "(" not in message["detail"].split("give")[0]
    nope = json.loads(cli(service, "frameworks", "show", "nope").output.splitlines()[-1])
    assert nope["detail"] == "no competency model 'nope' (`frameworks list` shows them)"
