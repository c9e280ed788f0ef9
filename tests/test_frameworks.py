"""The competency data: transcribed exactly, loaded with stable ids, crosswalked completely."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from credentials.frameworks import FrameworkDataError, bundled_catalog, load_catalog
from credentials.frameworks.loader import DATA
from issuer.services.request_schemas import COMPLETION
from tests.conftest import MODEL_ID, ROOT

LEVELS = ["emerging", "developing", "proficient", "advanced"]

SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


def test_model_has_the_25_dli_competencies(catalog) -> None:
    model = catalog.models[MODEL_ID]
    by_tier = {}
    for competency in model.competencies:
        by_tier.setdefault(competency.tier.id, []).append(competency)
    assert len(by_tier["industry-sector-technical"]) == 14
    assert len(by_tier["occupation-specific"]) == 11
    assert {c.training_mode for c in by_tier["industry-sector-technical"]} == \
        {"related-instruction"}
    assert {c.training_mode for c in by_tier["occupation-specific"]} == {"on-the-job"}
    assert model.version_date == "2025-10"
    assert model.source_url == "https://dli.mn.gov/business/workforce/health-care-services"
    assert [t.position for t in model.tiers] == sorted(t.position for t in model.tiers)


def test_names_and_definitions_are_the_documents_own_words(catalog) -> None:
    seed = SEEDS / "000_de91e7d950600c35.txt"
    if not seed.is_file():
        pytest.skip(f"source document not present at {seed}")
    lines = [line.replace("**", "") for line in seed.read_text().splitlines()
             if line.startswith("- ")]
    for competency in catalog.models[MODEL_ID].competencies:
        expected = f"- {competency.name} {competency.definition}"
        assert expected in lines, competency.id


def test_level_framework_is_stored_as_published_with_stable_ids(catalog) -> None:
    framework = catalog.frameworks["onet-29-2053.00-psychiatric-technicians"]
    seed = SEEDS / "001_59e6950d1f5cf1fb.txt"
    stored = DATA / "onet-29-2053.00-psychiatric-technicians.lerme.json"
    if seed.is_file():
        assert stored.read_bytes() == seed.read_bytes()
    assert [level.id for level in framework.levels] == LEVELS
    assert [level.label for level in framework.levels] == \
        ["Emerging", "Developing", "Proficient", "Advanced"]
    ids = [s.id for level in framework.levels for s in level.statements]
    assert ids[0] == "emerging-1" and ids[-1] == "advanced-10" and len(ids) == 40
    published = json.loads(stored.read_text())["framework"]["levels"]
    assert framework.statement("developing-4").text == published["developing"]["statements"][3]
    assert framework.soc == "29-2053.00"


def test_attribution_travels_with_the_framework(catalog) -> None:
    text = catalog.frameworks["onet-29-2053.00-psychiatric-technicians"].attribution.text()
    for part in ("O*NET v30.2 (CC BY 4.0)", "skillscrosswalk.com", "LER.me", "© EBSCOed"):
        assert part in text


def test_every_crosswalk_id_resolves_and_every_cell_is_evidenced(catalog) -> None:
    crosswalk = catalog.crosswalk_for(MODEL_ID)
    for competency in crosswalk.model.competencies:
        for level in LEVELS:
            evidence = crosswalk.evidence(competency.id, level)
            assert evidence, (competency.id, level)
            for item in evidence:
                assert crosswalk.framework.statement(item.statement.id) is item.statement
                assert item.statement.level == level
                assert item.rationale.strip() and "\n" not in item.rationale


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


CROSSWALK = "crosswalk-mn-dli-pmht-inpatient-onet-29-2053.00.json"
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient.json"


@pytest.mark.parametrize("file, change, pointer, words", [
    (MODEL, lambda d: d["competencies"][3].pop("definition"), "/competencies/3",
     "'definition' is a required property"),
    (MODEL, lambda d: d["competencies"][0].update(tier="nowhere"), "/competencies/0/tier",
     "no tier 'nowhere'"),
    (MODEL, lambda d: d["competencies"][1].update(id=d["competencies"][0]["id"]),
     "/competencies/1/id", "duplicate competency id"),
    (MODEL, lambda d: d.update(versionDate="October 2025"), "/versionDate",
     "is not a date written YYYY-MM"),
    (CROSSWALK, lambda d: d["mappings"]["de-escalation"]["developing"][0].update(
        statement="developing-11"), "/mappings/de-escalation/developing/0/statement",
     "no statement 'developing-11'"),
    (CROSSWALK, lambda d: d["mappings"]["de-escalation"]["developing"][0].update(
        statement="emerging-1"), "/mappings/de-escalation/developing/0/statement",
     "not a developing statement"),
    (CROSSWALK, lambda d: d["mappings"]["de-escalation"].update(
        expert=[{"statement": "expert-1", "rationale": "none"}]),
     "/mappings/de-escalation/expert", "has no level 'expert'"),
    (CROSSWALK, lambda d: d["mappings"]["de-escalation"].update(expert=[]),
     "/mappings/de-escalation/expert", "should be non-empty"),
    ("onet-29-2053.00-psychiatric-technicians.lerme.json",
     lambda d: d["framework"]["levels"].update(
         {"emerging": {"label": "Emerging", "statements": []}}),
     "/framework/levels/emerging/statements", "should be non-empty"),
    ("onet-29-2053.00-psychiatric-technicians.lerme.json",
     lambda d: d["framework"].update(levels={"only": {"label": "Only", "statements": ["x"]}}),
     "/framework/levels", "does not have enough properties"),
])
def test_bad_data_is_reported_with_file_and_field(tmp_path: Path, file: str, change,
                                                  pointer: str, words: str) -> None:
    data = _copy_data(tmp_path)
    _edit(data / file, change)
    with pytest.raises(FrameworkDataError) as caught:
        load_catalog(data)
    assert caught.value.pointer == pointer
    assert str(caught.value).startswith(f"{file}: {pointer}: ")
    assert words in str(caught.value)


def test_broken_json_names_the_file(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / MODEL).write_text("{not json")
    with pytest.raises(FrameworkDataError, match=f"^{MODEL}: /: not JSON"):
        load_catalog(data)


def test_another_occupation_is_added_as_files(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    model = json.loads((data / MODEL).read_text())
    model["id"] = "example-second-model"
    model["competencies"] = model["competencies"][:2]
    (data / "second.json").write_text(json.dumps(model))
    crosswalk = json.loads((data / CROSSWALK).read_text())
    crosswalk.update(id="second-crosswalk", model="example-second-model",
                     mappings={k: crosswalk["mappings"][k] for k in
                               ("patient-vitals", "collaborate-with-care-team")})
    (data / "second-crosswalk.json").write_text(json.dumps(crosswalk))
    _edit(data / "catalog.json", lambda d: (
        d["models"].append({"id": "example-second-model", "file": "second.json"}),
        d["crosswalks"].append({"id": "second-crosswalk", "file": "second-crosswalk.json"})))
    catalog = load_catalog(data)
    assert len(catalog.crosswalk_for("example-second-model").model.competencies) == 2


def test_a_crosswalk_may_leave_a_competency_without_statements(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _edit(data / CROSSWALK, lambda d: d["mappings"].pop("patient-vitals"))
    crosswalk = load_catalog(data).crosswalk_for(MODEL_ID)
    assert not crosswalk.mapped("patient-vitals") and crosswalk.mapped("de-escalation")
    assert crosswalk.evidence("patient-vitals", "emerging") == ()


def test_the_levels_and_their_order_are_the_frameworks(tmp_path: Path, catalog) -> None:
    """One list of levels: the loaded framework's; the completion schema fixes none."""
    assert catalog.level_ids() == tuple(LEVELS)
    assert "enum" not in COMPLETION["properties"]["level"]
    framework = catalog.crosswalk_for(MODEL_ID).framework
    assert framework.meets("proficient", "developing") and framework.meets("emerging", "emerging")
    assert not framework.meets("developing", "proficient")
    with pytest.raises(KeyError, match="no level 'expert'"):
        framework.meets("expert", "emerging")
    data = _copy_data(tmp_path)
    _edit(data / "onet-29-2053.00-psychiatric-technicians.lerme.json", lambda d: d["framework"]
          .update(levels=dict(reversed(d["framework"]["levels"].items()))))
    reordered = load_catalog(data).crosswalk_for(MODEL_ID).framework
    assert [level.id for level in reordered.levels] == LEVELS[::-1]
    assert reordered.meets("developing", "proficient")
