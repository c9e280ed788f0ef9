"""The CASE 1.1 documents: every package, document, item, association and rubric the service
serves validates against the CASE 1.1 JSON Schema (ours, written from the specification and
proved on a published package), and the framework's attribution travels with every
statement."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from credentials.case import CASE_PATH
from tests.service.conftest import BASE, MODEL
from tests.service.test_second_occupation import DATA, DRONE, cli, complete, import_second

CASE = Path(__file__).resolve().parents[1] / "data" / "case"
SCHEMA = json.loads((CASE / "case-v1p1.schema.json").read_text())
PUBLISHED = CASE / "smarter-balanced-ela-g3-c1-t1.excerpt.json"


def validator(definition: str) -> Draft202012Validator:
    return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{definition}"},
                                format_checker=FormatChecker())


def errors(definition: str, document: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(definition).iter_errors(document)]


def published() -> dict:
    document = json.loads(PUBLISHED.read_text())
    assert document.pop("_source")["package"].startswith("https://case.smarterbalanced.org/")
    return document


def test_the_schema_is_a_schema_and_accepts_a_published_package() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert errors("CFPackage", published()) == []


@pytest.mark.parametrize("change, words", [
    (lambda p: p["CFDocument"].pop("creator"), "'creator' is a required property"),
    (lambda p: p["CFItems"][0].update(identifier="81be8298"), "is not a 'uuid'"),
    (lambda p: p["CFItems"][0].update(lastChangeDateTime="18 November 2017"),
     "does not match"),
    (lambda p: p["CFAssociations"][0].update(associationType="isCousinOf"),
     "is not valid under any of the given schemas"),
    (lambda p: p["CFDocument"].update(colour="blue"), "Additional properties"),
    (lambda p: p["CFAssociations"][0]["originNodeURI"].pop("uri"),
     "'uri' is a required property"),
])
def test_the_schema_refuses_what_the_specification_does(change, words) -> None:
    document = published()
    change(document)
    assert any(words in e for e in errors("CFPackage", document))


def get(service, url: str) -> dict:
    response = service.client.get(url.removeprefix(BASE))
    assert response.status_code == 200, (url, response.get_json())
    assert response.mimetype in ("application/json", "application/ld+json")
    return response.get_json()


def test_every_served_case_document_validates(service) -> None:
    import_second(service)
    listing = get(service, f"{CASE_PATH}/CFDocuments")
    assert errors("CFDocumentSet", listing) == []
    titles = {d["title"] for d in listing["CFDocuments"]}
    assert any(t.startswith("Competency Model for Psychiatric/Mental Health Technician "
                            "In-Patient (version ") for t in titles)
    assert any(t.startswith("Competency Model for Drone Survey Technician (made up for tests) "
                            "(version 2026-04-02, edition ") for t in titles)
    assert any(t.startswith("O*NET-SOC 29-2053.00 Psychiatric Technicians") for t in titles)
    for document in listing["CFDocuments"]:
        assert get(service, document["uri"]) == document
        package = get(service, document["CFPackageURI"]["uri"])
        assert errors("CFPackage", package) == [], document["title"]
        for item in package["CFItems"]:
            served = get(service, item["uri"])
            assert served == item and errors("CFItemWithDocument", served) == []
        for association in package["CFAssociations"][:5]:
            assert errors("CFAssociation", get(service, association["uri"])) == []
        for rubric in package["CFRubrics"]:
            assert errors("CFRubric", get(service, rubric["uri"])) == []


def test_attribution_travels_with_every_statement(service) -> None:
    listing = get(service, f"{CASE_PATH}/CFDocuments")["CFDocuments"]
    framework = next(d for d in listing if d["title"].startswith("O*NET-SOC 29-2053.00"))
    package = get(service, framework["CFPackageURI"]["uri"])
    statements = [i for i in package["CFItems"] if i["CFItemType"] == "Level statement"]
    assert len(statements) == 40
    for item in statements:
        assert "CC BY 4.0" in item["notes"] and "© EBSCOed" in item["notes"]
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [level["quality"] for level in levels] == ["Emerging", "Developing", "Proficient",
                                                      "Advanced"]
    assert all("© EBSCOed" in level["description"] for level in levels)
    model = next(d for d in listing if d["title"].startswith("Competency Model for Psych"))
    rubric = get(service, model["CFPackageURI"]["uri"])["CFRubrics"][0]
    assert len(rubric["CFRubricCriteria"]) == 25
    cited = [level for criterion in rubric["CFRubricCriteria"]
             for level in criterion["CFRubricCriterionLevels"]]
    assert all("© EBSCOed" in level["description"] for level in cited)


def test_crosswalk_links_reach_the_framework_statements(service) -> None:
    data = get(service, f"/api/v1/frameworks/{MODEL}")
    package = get(service, data["case"])
    links = [a for a in package["CFAssociations"] if a["associationType"] == "isRelatedTo"]
    assert links and all(a["notes"].split(": ", 1)[0] in {"Emerging", "Developing",
                                                          "Proficient", "Advanced"}
                         for a in links)
    statement = get(service, links[0]["destinationNodeURI"]["uri"])
    assert statement["CFItemType"] == "Level statement"
    children = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert len(children) == 7 + 25  # tiers in the document, competencies in their tiers


def test_unknown_identifiers_are_case_status_info(service) -> None:
    for collection in ("CFDocuments", "CFPackages", "CFItems", "CFAssociations", "CFRubrics",
                       "CFLicenses"):
        response = service.client.get(f"{CASE_PATH}/{collection}/"
                                      "00000000-0000-4000-8000-000000000000")
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
        assert body["imsx_description"].startswith("no C")
        assert body["imsx_CodeMinor"]["imsx_codeMinorField"] == [
            {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}]


def test_credentials_issued_before_case_keep_verifying(service) -> None:
    """A credential shaped as this service issued them before CASE and editions (the
    un-editioned achievement id, a ``ceasn:Competency`` alignment to the DLI page, statements
    cited at fragments of /api/v1/frameworks) still verifies, and its achievement id is still
    served."""
    issued = service.client.post(
        "/api/v1/issuers/riverbend/completions",
        json={"learner": {"name": "Ada Old", "email": "ada@example.com"},
              "competency": f"{MODEL}/de-escalation", "level": "developing",
              "completedOn": "2026-11-02"},
        headers=service.auth(service.assessor)).get_json()["credential"]
    old = copy.deepcopy(issued)
    for name in ("proof", "id", "credentialStatus"):
        old.pop(name)
    achievement = old["credentialSubject"]["achievement"]
    edition_id = achievement["id"]
    achievement["id"] = f"{BASE}/achievements/{MODEL}/de-escalation"
    achievement["alignment"][0].update(
        targetType="ceasn:Competency",
        targetUrl="https://dli.mn.gov/business/workforce/health-care-services")
    for level in achievement["resultDescription"][0]["rubricCriterionLevel"]:
        level["id"] = level["id"].replace(edition_id, achievement["id"])
        for cited in level["alignment"]:
            cited["targetUrl"] = f"{BASE}/api/v1/frameworks/{MODEL}#{cited['targetCode']}"
    result = old["credentialSubject"]["result"][0]
    result["achievedLevel"] = result["achievedLevel"].replace(edition_id, achievement["id"])
    result["resultDescription"] = result["resultDescription"].replace(edition_id,
                                                                      achievement["id"])
    signed = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                 json={"credential": old, "options": {}})
    assert signed.status_code == 201, signed.get_json()
    response = service.client.post("/credentials/verify", json={
        "verifiableCredential": signed.get_json()["verifiableCredential"]})
    assert response.status_code == 200, response.get_json()
    page = get(service, achievement["id"])
    assert page["id"] == achievement["id"] and page["name"] == achievement["name"]
    assert DRONE not in json.dumps(issued)


def _drone_documents(service) -> dict[str, str]:
    """The drone model's CFDocuments: title -> adoptionStatus."""
    listing = get(service, f"{CASE_PATH}/CFDocuments")
    assert errors("CFDocumentSet", listing) == []
    return {d["title"]: d["adoptionStatus"] for d in listing["CFDocuments"]
            if d["title"].startswith("Competency Model for Drone")}


def test_the_current_edition_and_the_cited_older_ones_are_published(service,
                                                                    tmp_path: Path) -> None:
    import_second(service)
    first = _drone_documents(service)
    assert list(first.values()) == ["Adopted"]
    issued = complete(service, "battery-safety")
    assert issued.status_code == 201, issued.get_json()
    for date in ("2026-09-01", "2026-10-01"):
        (tmp_path / "model.csv").write_text((DATA / "model.csv").read_text()
                                            .replace("2026-04-02", date))
        assert cli(service, "frameworks", "import", str(tmp_path / "model.csv")).exit_code == 0
    documents = _drone_documents(service)
    # The first edition is cited by the credential; the second was never cited and is gone.
    assert len(documents) == 2
    assert documents[next(iter(first))] == "Deprecated"
    current = next(t for t in documents if t != next(iter(first)))
    assert "(version 2026-10-01, edition " in current and documents[current] == "Adopted"
    dli = [d for d in get(service, f"{CASE_PATH}/CFDocuments")["CFDocuments"]
           if d["title"].startswith("Competency Model for Psych")]
    assert len(dli) == 1


def test_the_framework_licence_is_in_case_licence_fields(service) -> None:
    import_second(service)
    listing = get(service, f"{CASE_PATH}/CFDocuments")["CFDocuments"]
    framework = next(d for d in listing if d["title"].startswith("O*NET-SOC 29-2053.00"))
    assert framework["publisher"] == "skillscrosswalk.com"
    licence = get(service, framework["licenseURI"]["uri"])
    assert errors("CFLicense", licence) == []
    assert "CC BY 4.0" in licence["licenseText"] and "© EBSCOed" in licence["licenseText"]
    assert "https://creativecommons.org/licenses/by/4.0/" in licence["licenseText"]
    package = get(service, framework["CFPackageURI"]["uri"])
    assert package["CFDefinitions"]["CFLicenses"] == [licence]
    assert all(i["licenseURI"] == framework["licenseURI"] for i in package["CFItems"]
               if i["CFItemType"] == "Level statement")
    drone = next(d for d in listing if d["title"].startswith("Competency Model for Drone"))
    assert "© Example Attribution. Programme: Example Dual-Training Programme." in drone["notes"]
    page = service.client.get("/docs").get_data(as_text=True)
    assert f"{CASE_PATH}/CFLicenses/" in page and "imsx_StatusInfo" in page
