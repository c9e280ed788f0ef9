"""Import files: each kind told apart by its content, read from JSON or CSV, and a mistake
named by file and line (CSV) or JSON pointer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credentials.achievements import build_achievement
from credentials.frameworks import FrameworkDataError
from credentials.frameworks.imports import read_import, read_imports, slug
from credentials.frameworks.loader import DATA, CatalogDocuments, build_catalog

SECOND = Path(__file__).resolve().parent / "data" / "second_occupation"
MODEL_CSV = (SECOND / "model.csv").read_text()
CROSSWALK_CSV = (SECOND / "crosswalk.csv").read_text()


def test_the_bundled_json_files_read_as_their_kinds() -> None:
    kinds = {read_import(path.name, path.read_bytes()).kind: read_import(
        path.name, path.read_bytes()).id for path in DATA.glob("*.json")
        if path.name != "catalog.json"}
    assert kinds == {"model": "mn-dli-psychiatric-mental-health-technician-inpatient",
                     "framework": "onet-29-2053.00-psychiatric-technicians",
                     "crosswalk": "mn-dli-pmht-inpatient-to-onet-29-2053.00"}


def test_a_model_csv_becomes_our_model_document() -> None:
    imported = read_import("model.csv", ("\ufeff" + MODEL_CSV).encode())  # a spreadsheet's BOM
    document = imported.document
    assert (imported.kind, imported.id, imported.version) == (
        "model", "example-drone-survey-technician", "2026-04-02")
    assert [t["id"] for t in document["tiers"]] == ["industry-sector-technical-competencies",
                                                   "occupation-specific-competencies"]
    assert [t["trainingMode"] for t in document["tiers"]] == ["related-instruction",
                                                             "on-the-job"]
    battery = document["competencies"][1]
    assert battery == {"id": "battery-safety", "name": "Battery safety",
                       "definition": "Safe charging, storage and transport of lithium batteries.",
                       "tier": "industry-sector-technical-competencies",
                       "trainingMode": "related-instruction",
                       "sourceUrl": "https://example.org/models/drone-survey-technician"}
    assert document["requiredLevel"] == "working"
    assert document["publisher"] == {"name": "Example Workforce Office",
                                     "program": "Example Dual-Training Programme"}


def test_a_crosswalk_csv_names_statements_by_number_or_id() -> None:
    imported = read_import("crosswalk.csv", CROSSWALK_CSV.replace(
        "airspace-rules,working,1", "airspace-rules,working,working-1").encode())
    mappings = imported.document["mappings"]
    assert mappings["airspace-rules"]["working"] == [
        {"statement": "working-1", "rationale": "Planning within the rules alone."}]
    assert mappings["battery-safety"] == {"foundational": [
        {"statement": "foundational-2", "rationale": "Charging and storing by procedure."}]}
    assert "survey-data-processing" not in mappings


@pytest.mark.parametrize("name, text, message", [
    ("model.csv", MODEL_CSV.replace("on-the-job,Pre-flight", "apprenticeship,Pre-flight"),
     "model.csv: line 12: training type: 'apprenticeship' is neither related instruction "
     "(RI) nor on-the-job (OJT)"),
    ("model.csv", MODEL_CSV.replace(",2026-03\n", ",March 2026\n", 1),
     "model.csv: line 10: updated date: 'March 2026' is not a date written YYYY-MM or "
     "YYYY-MM-DD"),
    ("model.csv", MODEL_CSV.replace("Battery safety", "Airspace rules"),
     "model.csv: line 11: name: 'Airspace rules' gives the id 'airspace-rules', which line 10 "
     "('Airspace rules') already gives; rename one of them"),
    ("model.csv", MODEL_CSV.replace(",https://example.org/models/drone-survey-technician,2026-03",
                                    ",,2026-03", 1),
     "model.csv: line 10: source url is empty"),
    ("model.csv", MODEL_CSV.replace("https://example.org/models/drone-survey-technician,2026-04",
                                    "ftp://example.org/x,2026-04", 1),
     "model.csv: line 12: sourceUrl: 'ftp://example.org/x' is not a web address starting "
     "http:// or https://"),
    ("model.csv", MODEL_CSV.replace("title,", "name of it,"),
     "model.csv: line 2: 'name of it' is not one of"),
    ("model.csv", MODEL_CSV.replace("publisher,Example Workforce Office\n", ""),
     "model.csv: /: missing publisher"),
    ("crosswalk.csv", CROSSWALK_CSV.replace("battery-safety,foundational,2",
                                            "battery-safety,foundational,two"),
     "crosswalk.csv: line 10: statement: 'two' is not a statement id: the level id and the "
     "statement's number, like novice-2"),
    ("crosswalk.csv", CROSSWALK_CSV.replace("airspace-rules,expert,1,",
                                            "airspace-rules,expert,1,\n"),
     "crosswalk.csv: line 9: rationale is empty"),
    ("notes.csv", "a,b\n1,2\n", "notes.csv: /: a CSV needs the model columns"),
    ("model.json", '{"competencies": [}', "model.json: line 1: not JSON"),
    ("model.json", json.dumps({"competencies": [], "id": "x"}),
     "model.json: /: 'title' is a required property"),
    ("other.json", "[1, 2]", "other.json: /: expected a JSON object"),
    ("other.json", "{}", "other.json: /: not an LER.me framework export"),
])
def test_mistakes_are_named_by_file_and_line_or_pointer(name: str, text: str,
                                                        message: str) -> None:
    with pytest.raises(FrameworkDataError) as caught:
        read_import(name, text.encode())
    assert str(caught.value).startswith(message), str(caught.value)


def test_not_utf8_and_too_large_are_refused() -> None:
    with pytest.raises(FrameworkDataError, match="not UTF-8 text"):
        read_import("model.csv", b"id,\xff\n")
    with pytest.raises(FrameworkDataError, match="larger than"):
        read_import("model.json", b" " * 2_000_001)


def test_a_framework_with_five_levels_is_read_in_order() -> None:
    export = json.loads((SECOND / "framework.lerme.json").read_text())
    levels = export["framework"]["levels"]
    export["framework"]["levels"] = {
        "novice": {"label": "Novice", "statements": ["n"]}, **levels,
        "master": {"label": "Master", "statements": ["m"]}}
    imported = read_import("five.json", json.dumps(export).encode())
    assert list(imported.document["framework"]["levels"]) == [
        "novice", "foundational", "working", "expert", "master"]
    model = read_import("model.csv", MODEL_CSV.encode())
    crosswalk = read_import("crosswalk.csv", CROSSWALK_CSV.encode())
    catalog = build_catalog(CatalogDocuments(
        [(model.source, model.document)], [(imported.source, imported.id, imported.document)],
        [(crosswalk.source, crosswalk.document)]))
    linked = catalog.crosswalk_for(model.id)
    achievement = build_achievement(linked, "airspace-rules", "https://issuer.example")
    levels = achievement["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["name"] for level in levels] == ["Novice", "Foundational", "Working",
                                                   "Expert", "Master"]
    assert linked.framework.meets("master", "working")
    assert not linked.framework.meets("novice", linked.required_level)


def _linked(model_csv: str, crosswalk_csv: str):  # type: ignore[no-untyped-def]
    """The catalog the second occupation's files make, with the model and crosswalk given."""
    framework = read_import("framework.json", (SECOND / "framework.lerme.json").read_bytes())
    model = read_import("model.csv", model_csv.encode())
    crosswalk = read_import("crosswalk.csv", crosswalk_csv.encode())
    return build_catalog(CatalogDocuments(
        [(model.source, model.document)], [(framework.source, framework.id,
                                            framework.document)],
        [(crosswalk.source, crosswalk.document)])), crosswalk


def test_every_mistake_of_every_file_is_reported_at_once() -> None:
    model = MODEL_CSV.replace("on-the-job,Pre-flight", "apprenticeship,Pre-flight").replace(
        ",2026-03\n", ",March 2026\n", 1)
    crosswalk = CROSSWALK_CSV.replace("airspace-rules,expert,1,", "airspace-rules,expert,1,\n")
    with pytest.raises(FrameworkDataError) as caught:
        read_imports([("model.csv", model.encode()), ("crosswalk.csv", crosswalk.encode()),
                      ("other.json", b"[1]")])
    assert [(e.source, e.at) for e in caught.value.each] == [
        ("model.csv", "line 10"), ("model.csv", "line 12"), ("crosswalk.csv", "line 9"),
        ("crosswalk.csv", "line 10"), ("crosswalk.csv", "line 10"), ("crosswalk.csv", "line 10"),
        ("other.json", "/")]
    assert "updated date: 'March 2026'" in str(caught.value)
    assert "training type: 'apprenticeship'" in str(caught.value)


def test_a_spreadsheet_may_name_competencies_and_levels_as_people_write_them() -> None:
    model = MODEL_CSV.replace("required level,working", "required level,Working")
    crosswalk = CROSSWALK_CSV.replace("airspace-rules,working,1", "Airspace Rules,Working,1"
                                      ).replace("pre-flight-checks,expert,2",
                                                "PRE-FLIGHT CHECKS,expert,Expert-2")
    catalog, _ = _linked(model, crosswalk)
    linked = catalog.crosswalk_for("example-drone-survey-technician")
    assert linked.required_level == "working"
    assert [e.statement.id for e in linked.evidence("airspace-rules", "working")] == [
        "working-1"]
    assert [e.statement.id for e in linked.evidence("pre-flight-checks", "expert")] == [
        "expert-2"]


def test_a_crosswalk_mistake_in_meaning_names_its_line_and_what_to_give() -> None:
    crosswalk = CROSSWALK_CSV.replace("battery-safety,foundational,2",
                                      "Battery safety,foundational,7").replace(
        "airspace-rules,expert,1", "Climbing,expert,1").replace(
        "pre-flight-checks,working,2", "pre-flight-checks,working,expert-1")
    with pytest.raises(FrameworkDataError) as caught:
        _linked(MODEL_CSV, crosswalk)
    document = read_import("crosswalk.csv", crosswalk.encode())
    messages = {document.located(e).at: document.located(e).message
                for e in caught.value.each}
    assert messages == {
        "line 9": "model 'example-drone-survey-technician' has no competency 'climbing': give "
                  "one of its competency ids or names (`frameworks show "
                  "example-drone-survey-technician` lists them)",
        "line 10": "statement: framework 'onet-17-3031.99-drone-survey-technicians' has no "
                   "statement 'foundational-7'",
        "line 12": "statement: expert-1 is not a working statement (it is expert)"}
    assert not any("does not match" in str(e) or "^" in str(e) for e in caught.value.each)


def test_ids_from_accented_names_keep_their_letters_and_a_clash_names_both_lines() -> None:
    assert slug("Técnicas de izado") == "tecnicas-de-izado"
    assert slug("Lock-out/tag-out & safety") == "lock-out-tag-out-safety"
    with pytest.raises(FrameworkDataError) as caught:
        read_import("model.csv", MODEL_CSV.replace("Battery safety", "Técnicas de izado").replace(
            "Airspace rules", "Tecnicas de Izado").encode())
    assert str(caught.value) == (
        "model.csv: line 11: name: 'Técnicas de izado' gives the id 'tecnicas-de-izado', "
        "which line 10 ('Tecnicas de Izado') already gives; rename one of them")

