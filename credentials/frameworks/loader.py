"""Load competency models, level frameworks and crosswalks from JSON files.

Every file is validated against a JSON Schema of ours before it is read, and every reference
between files is resolved, so a mistake in a new occupation's data is reported with the file
and the field (as a JSON pointer) instead of surfacing later as a wrong credential.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
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
    """A competency data file is invalid; the message names the file and the field (a JSON
    pointer) or, for a CSV, the line."""

    def __init__(self, source: Path | str, pointer: str, message: str,
                 line: int | None = None) -> None:
        self.source = Path(source).name if isinstance(source, Path) else source
        self.pointer, self.line, self.message = pointer, line, message
        super().__init__(f"{self.source}: {self.at}: {message}")

    @property
    def at(self) -> str:
        """Where in the file: ``line N`` (CSV) or the JSON pointer (``/`` for the whole)."""
        return f"line {self.line}" if self.line is not None else (self.pointer or "/")

    @property
    def each(self) -> list[FrameworkDataError]:
        """Every mistake this refusal holds (one, unless it gathers several)."""
        return [self]

    def as_json(self) -> dict[str, str]:
        return {"file": self.source, "at": self.at, "pointer": self.pointer,
                "detail": str(self)}


class FrameworkDataErrors(FrameworkDataError):
    """Several mistakes, reported together so a file is fixed in one pass, not one re-run
    per mistake."""

    def __init__(self, errors: list[FrameworkDataError]) -> None:
        self.errors = errors
        first = errors[0]
        self.source, self.pointer, self.line, self.message = (first.source, first.pointer,
                                                              first.line, first.message)
        ValueError.__init__(self, "\n".join(str(e) for e in errors))

    @property
    def each(self) -> list[FrameworkDataError]:
        return self.errors


def gathered(errors: Iterable[FrameworkDataError]) -> FrameworkDataError | None:
    """One refusal for every mistake found (None when there are none)."""
    flat = [one for error in errors for one in error.each]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else FrameworkDataErrors(flat)


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def id_of(text: str) -> str:
    """An id from a name, as a CSV's competencies get theirs: accents dropped (``é`` -> ``e``),
    lower case, every run of other characters one hyphen."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


# What each of our schemas' patterns asks for, in words (a refusal never shows a regex).
_PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9.]+)*$": "an id: lower-case letters and digits joined by hyphens",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "an id: lower-case letters and digits joined by hyphens",
    "^[a-z0-9]+(-[a-z0-9]+)*-[1-9][0-9]*$": ("a statement id: the level id and the "
                                             "statement's number, like novice-2"),
    "^P(?=\\d)(\\d+Y)?(\\d+M)?(\\d+D)?$": "a duration like P2Y, P6M or P90D",
    "^https?://": "a web address starting http:// or https://",
    "^\\d{4}-(0[1-9]|1[0-2])(-\\d{2})?$": "a date written YYYY-MM or YYYY-MM-DD",
    "^\\d{2}-\\d{4}\\.\\d{2}$": "an O*NET-SOC code like 29-2053.00",
    "^[A-Za-z0-9._-]+\\.json$": "a .json file name",
}


def _schema_message(error: Any) -> str:
    """A schema error in words; a pattern is described, never quoted."""
    if error.validator == "pattern":
        wanted = _PATTERN_WORDS.get(error.validator_value, "in the form the format describes")
        example = id_of(str(error.instance)) if wanted.startswith("an id") else ""
        hint = f" (such as {example!r})" if example and example != error.instance else ""
        return f"{error.instance!r} is not {wanted}{hint}"
    return str(error.message)


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
    errors = sorted(_validator(schema_name).iter_errors(document),
                    key=lambda e: [str(p) for p in e.path])
    refusal = gathered(FrameworkDataError(source, _pointer(e.absolute_path), _schema_message(e))
                       for e in errors)
    if refusal is not None:
        raise refusal
    return document


def build_model(document: Any, source: str) -> CompetencyModel:
    """A competency model (competency-model.schema.json)."""
    data = validate(document, "competency-model", source)
    modes = data["trainingModes"]
    tiers = {t["id"]: Tier(t["id"], t["name"], t["position"], t.get("trainingMode"))
             for t in data["tiers"]}
    competencies = []
    seen: set[str] = set()
    problems: list[FrameworkDataError] = []
    for i, item in enumerate(data["competencies"]):
        where = f"/competencies/{i}"
        if item["id"] in seen:
            problems.append(FrameworkDataError(source, f"{where}/id",
                                               f"duplicate competency id {item['id']!r}"))
        seen.add(item["id"])
        if item["tier"] not in tiers:
            problems.append(FrameworkDataError(source, f"{where}/tier",
                                               f"no tier {item['tier']!r}"))
        if item["trainingMode"] not in modes:
            problems.append(FrameworkDataError(source, f"{where}/trainingMode",
                                               f"no training mode {item['trainingMode']!r}"))
        if not problems:
            competencies.append(Competency(item["id"], item["name"], item["definition"],
                                           tiers[item["tier"]], item["trainingMode"],
                                           modes[item["trainingMode"]]["name"],
                                           item.get("validFor")))
    if refusal := gathered(problems):
        raise refusal
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
    levels = {level.id for level in framework.levels}
    problems: list[FrameworkDataError] = []
    if model.required_level is not None and model.required_level not in levels:
        problems.append(FrameworkDataError(
            source, "/framework", f"model {model.id!r} requires level {model.required_level!r}, "
            f"which framework {framework.id!r} lacks (its levels: {', '.join(sorted(levels))})"))
    mappings: dict[str, dict[str, tuple[Evidence, ...]]] = {}
    for written, by_level in data["mappings"].items():
        competency_id = _competency_named(model, written)
        if competency_id is None:
            problems.append(FrameworkDataError(
                source, f"/mappings/{written}",
                f"model {model.id!r} has no competency {written!r}: give one of its competency "
                f"ids or names (`frameworks show {model.id}` lists them)"))
            continue
        mappings[competency_id] = {}
        for written_level, cited in by_level.items():
            level = _level_named(framework, written_level)
            if level is None:
                problems.append(FrameworkDataError(
                    source, f"/mappings/{written}/{written_level}",
                    f"framework {framework.id!r} has no level {written_level!r}: give one of "
                    + ", ".join(f"{lv.id} ({lv.label})" for lv in framework.levels)))
                continue
            evidence = []
            for i, item in enumerate(cited):
                where = f"/mappings/{written}/{written_level}/{i}/statement"
                statement = framework.statements.get(item["statement"])
                if statement is None:
                    problems.append(FrameworkDataError(
                        source, where, f"framework {framework.id!r} has no statement "
                        f"{item['statement']!r}"))
                elif statement.level != level:
                    problems.append(FrameworkDataError(
                        source, where, f"{statement.id} is not a {level} statement (it is "
                        f"{statement.level})"))
                else:
                    evidence.append(Evidence(statement, item["rationale"]))
            mappings[competency_id][level] = tuple(evidence)
    if refusal := gathered(problems):
        raise refusal
    return Crosswalk(data["id"], model, framework, mappings, data.get("version", "1"))


def _competency_named(model: CompetencyModel, written: str) -> str | None:
    """The competency a crosswalk names: by its id, or by the id its name gives (so a
    spreadsheet may name it), when exactly one competency answers."""
    if any(c.id == written for c in model.competencies):
        return written
    found = [c.id for c in model.competencies if id_of(c.name) == id_of(written)]
    return found[0] if len(found) == 1 else None


def _level_named(framework: LevelFramework, written: str) -> str | None:
    """A framework level by its id or label, in any case."""
    key = id_of(written)
    found = {lv.id for lv in framework.levels if key in (lv.id, id_of(lv.label))}
    return next(iter(found)) if len(found) == 1 else None


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
    problems: list[FrameworkDataError] = []
    for source, document in documents.crosswalks:
        try:
            crosswalk = build_crosswalk(document, models, frameworks, source)
        except FrameworkDataError as error:
            problems.append(error)
            continue
        crosswalks[crosswalk.id] = crosswalk
    if refusal := gathered(problems):
        raise refusal
    return Catalog(models, frameworks, crosswalks)


def load_catalog(directory: Path = DATA) -> Catalog:
    """Load ``catalog.json`` in ``directory`` and every file it lists."""
    return build_catalog(read_catalog_documents(directory))


@cache
def bundled_catalog() -> Catalog:
    """The competency data shipped with the package, loaded once per process."""
    return load_catalog(DATA)
