"""Load competency models, level frameworks and crosswalks from JSON files.

Every file is validated against a JSON Schema of ours before it is read, and every reference
between files is resolved, so a mistake in a new occupation's data is reported with the file
and the field (as a JSON pointer) instead of surfacing later as a wrong credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from credentials.frameworks.model import (
    Attribution,
    Competency,
    CompetencyModel,
    Crosswalk,
    Evidence,
    Level,
    LevelFramework,
    LevelStatement,
    Tier,
)

DATA = Path(__file__).resolve().parent / "data"
SCHEMAS = Path(__file__).resolve().parent / "schemas"


class FrameworkDataError(ValueError):
    """A competency data file is invalid; the message names the file and the field."""

    def __init__(self, source: Path | str, pointer: str, message: str) -> None:
        self.source = Path(source).name if isinstance(source, Path) else source
        super().__init__(f"{self.source}: {pointer or '/'}: {message}")
        self.pointer = pointer


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{schema_name}.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def read_json(file: Path) -> Any:
    """Parse a data file; raise FrameworkDataError naming it."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrameworkDataError(file, "", "file not found") from None
    except json.JSONDecodeError as error:
        raise FrameworkDataError(file, "", f"not JSON: {error}") from None


def validate(document: Any, schema_name: str, source: str) -> dict[str, Any]:
    """Check a document against one of our schemas; raise FrameworkDataError."""
    errors = sorted(_validator(schema_name).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise FrameworkDataError(source, _pointer(first.absolute_path), first.message)
    return document


def build_model(document: Any, source: str) -> CompetencyModel:
    """A competency model (competency-model.schema.json)."""
    data = validate(document, "competency-model", source)
    modes = data["trainingModes"]
    tiers = {t["id"]: Tier(t["id"], t["name"], t["position"], t.get("trainingMode"))
             for t in data["tiers"]}
    competencies = []
    seen: set[str] = set()
    for i, item in enumerate(data["competencies"]):
        where = f"/competencies/{i}"
        if item["id"] in seen:
            raise FrameworkDataError(source, f"{where}/id",
                                     f"duplicate competency id {item['id']!r}")
        seen.add(item["id"])
        if item["tier"] not in tiers:
            raise FrameworkDataError(source, f"{where}/tier", f"no tier {item['tier']!r}")
        if item["trainingMode"] not in modes:
            raise FrameworkDataError(source, f"{where}/trainingMode",
                                     f"no training mode {item['trainingMode']!r}")
        competencies.append(Competency(item["id"], item["name"], item["definition"],
                                       tiers[item["tier"]], item["trainingMode"],
                                       modes[item["trainingMode"]]["name"],
                                       item.get("validFor")))
    return CompetencyModel(
        id=data["id"], title=data["title"], publisher=data["publisher"]["name"],
        program=data["publisher"].get("program"), occupation=data["occupation"]["title"],
        occupation_description=data["occupation"].get("description"),
        source_url=data["sourceUrl"], version_date=data["versionDate"],
        based_on=data.get("basedOn"),
        tiers=tuple(sorted(tiers.values(), key=lambda t: t.position)),
        competencies=tuple(competencies),
        required_level=data.get("requiredLevel"),
    )


def build_lerme_framework(document: Any, framework_id: str, source: str) -> LevelFramework:
    """An LER.me export kept as published; statements get ids ``{level}-{n}``.

    The levels are the export's, in its order (lowest first): every list of levels, and the
    order ``meets`` compares them in, comes from here.
    """
    data = validate(document, "lerme-framework", source)
    levels = []
    statements: dict[str, LevelStatement] = {}
    for position, (level_id, published) in enumerate(data["framework"]["levels"].items(),
                                                     start=1):
        level_statements = tuple(
            LevelStatement(f"{level_id}-{n}", level_id, n, text)
            for n, text in enumerate(published["statements"], start=1))
        statements.update({s.id: s for s in level_statements})
        levels.append(Level(level_id, published["label"], position, level_statements))
    sources = data["sources"]
    return LevelFramework(
        id=framework_id, soc=data["occupation"]["soc"], occupation=data["occupation"]["title"],
        version=data["framework"]["version"],
        context_covered=data["framework"].get("contextCovered"),
        levels=tuple(levels),
        attribution=Attribution(sources["onet"], sources.get("crosswalk"),
                                sources.get("generator"), data["attribution"]),
        statements=statements, exported_at=data.get("exportedAt"),
    )


def build_crosswalk(document: Any, models: dict[str, CompetencyModel],
                    frameworks: dict[str, LevelFramework], source: str) -> Crosswalk:
    """A crosswalk, with every competency and statement id resolved."""
    data = validate(document, "crosswalk", source)
    if data["model"] not in models:
        raise FrameworkDataError(source, "/model", f"no model {data['model']!r} is loaded")
    if data["framework"] not in frameworks:
        raise FrameworkDataError(source, "/framework",
                                 f"no framework {data['framework']!r} is loaded")
    model, framework = models[data["model"]], frameworks[data["framework"]]
    return link_crosswalk(data, model, framework, source)


def link_crosswalk(data: dict[str, Any], model: CompetencyModel, framework: LevelFramework,
                   source: str) -> Crosswalk:
    """A checked crosswalk document joined to one version of its model and framework."""
    known = {c.id for c in model.competencies}
    levels = {level.id for level in framework.levels}
    if model.required_level is not None and model.required_level not in levels:
        raise FrameworkDataError(source, "/framework",
                                 f"model {model.id!r} requires level {model.required_level!r}, "
                                 f"which framework {framework.id!r} lacks "
                                 f"(its levels: {', '.join(sorted(levels))})")
    mappings: dict[str, dict[str, tuple[Evidence, ...]]] = {}
    for competency_id, by_level in data["mappings"].items():
        if competency_id not in known:
            raise FrameworkDataError(source, f"/mappings/{competency_id}",
                                     f"model {model.id!r} has no competency {competency_id!r}")
        mappings[competency_id] = {}
        for level, cited in by_level.items():
            if level not in levels:
                raise FrameworkDataError(source, f"/mappings/{competency_id}/{level}",
                                         f"framework {framework.id!r} has no level {level!r}")
            evidence = []
            for i, item in enumerate(cited):
                where = f"/mappings/{competency_id}/{level}/{i}/statement"
                statement = framework.statements.get(item["statement"])
                if statement is None:
                    raise FrameworkDataError(source, where, f"no statement {item['statement']!r}")
                if statement.level != level:
                    raise FrameworkDataError(source, where,
                                             f"{statement.id} is not a {level} statement")
                evidence.append(Evidence(statement, item["rationale"]))
            mappings[competency_id][level] = tuple(evidence)
    return Crosswalk(data["id"], model, framework, mappings, data.get("version", "1"))


@dataclass(frozen=True)
class Catalog:
    """Every model, framework and crosswalk a deployment knows."""

    models: dict[str, CompetencyModel]
    frameworks: dict[str, LevelFramework]
    crosswalks: dict[str, Crosswalk]

    editions: dict[tuple[str, str], Crosswalk] = field(default_factory=dict)

    def level_ids(self) -> tuple[str, ...]:
        """Every level id the frameworks define, each once, lowest first."""
        return tuple(dict.fromkeys(level.id for framework in self.frameworks.values()
                                   for level in framework.levels))

    def crosswalk_for(self, model_id: str) -> Crosswalk:
        """The crosswalk that gives levels to a model's competencies (the newest, when a
        model has several)."""
        for crosswalk in reversed(self.crosswalks.values()):
            if crosswalk.model.id == model_id:
                return crosswalk
        if model_id not in self.models:
            raise KeyError(f"no competency model {model_id!r}")
        raise KeyError(f"model {model_id!r} has no crosswalk to a level framework")

    def edition(self, model_id: str, edition: str) -> Crosswalk:
        """A model as some credential was issued under it: the current one or an older
        version kept for the credentials that cite it (KeyError when unknown)."""
        current = self.crosswalk_for(model_id)
        if current.edition == edition:
            return current
        return self.editions[(model_id, edition)]


@dataclass(frozen=True)
class CatalogDocuments:
    """The raw documents of a catalog, each with the name errors should point at."""

    models: list[tuple[str, Any]]  # (source, document)
    frameworks: list[tuple[str, str, Any]]  # (source, framework id, document)
    crosswalks: list[tuple[str, Any]]


def read_catalog_documents(directory: Path = DATA) -> CatalogDocuments:
    """``catalog.json`` in ``directory`` and every file it lists, parsed but not yet checked."""
    index = validate(read_json(directory / "catalog.json"), "catalog", "catalog.json")
    return CatalogDocuments(
        models=[(e["file"], read_json(directory / e["file"])) for e in index["models"]],
        frameworks=[(e["file"], e["id"], read_json(directory / e["file"]))
                    for e in index["frameworks"]],
        crosswalks=[(e["file"], read_json(directory / e["file"])) for e in index["crosswalks"]],
    )


def build_catalog(documents: CatalogDocuments) -> Catalog:
    """Validate and link a set of documents into a Catalog."""
    models: dict[str, CompetencyModel] = {}
    for source, document in documents.models:
        model = build_model(document, source)
        models[model.id] = model
    frameworks = {framework_id: build_lerme_framework(document, framework_id, source)
                  for source, framework_id, document in documents.frameworks}
    crosswalks = {}
    for source, document in documents.crosswalks:
        crosswalk = build_crosswalk(document, models, frameworks, source)
        crosswalks[crosswalk.id] = crosswalk
    return Catalog(models, frameworks, crosswalks)


def load_catalog(directory: Path = DATA) -> Catalog:
    """Load ``catalog.json`` in ``directory`` and every file it lists."""
    return build_catalog(read_catalog_documents(directory))


@cache
def bundled_catalog() -> Catalog:
    """The competency data shipped with the package, loaded once per process."""
    return load_catalog(DATA)
