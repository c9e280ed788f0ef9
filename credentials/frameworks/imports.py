"""Files an operator or employer imports: an LER.me framework export, a competency model (our
JSON, or a CSV an office writes in a spreadsheet) and a crosswalk (JSON or CSV).

Each file is read into the JSON document the store keeps, checked against its schema, and
named by kind, id and version. Every mistake of every file is reported at once, as
``FILE: line N: …`` for CSV and ``FILE: /json/pointer: …`` for JSON, so a file can be found
and fixed in the file itself in one pass.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from credentials.frameworks.loader import (
    FrameworkDataError,
    build_lerme_framework,
    build_model,
    gathered,
    id_of,
    validate,
)
from credentials.verify.limits import MAX_DEPTH, LimitExceeded, check_shape

MAX_BYTES = 2_000_000  # a framework file is text of a few hundred kilobytes at most
KINDS = ("model", "framework", "crosswalk")
MODEL_COLUMNS = ("tier", "training type", "name", "definition", "source url", "updated date")
CROSSWALK_COLUMNS = ("competency", "level", "statement", "rationale")
TRAINING_TYPES = {
    "related-instruction": ("Related instruction", ("related instruction", "ri")),
    "on-the-job": ("On-the-job training", ("on-the-job", "on the job", "on-the-job training",
                                           "on the job training", "ojt")),
}
MODEL_FIELDS = {"id", "title", "publisher", "program", "occupation", "occupation description",
                "industry", "based on", "required level"}
CROSSWALK_FIELDS = {"id", "model", "framework", "version", "note"}


@dataclass(frozen=True)
class ImportedDocument:
    """One file as the store keeps it."""

    kind: str
    id: str
    version: str
    document: dict[str, Any]
    source: str
    # For a CSV: the line each part of the document came from, by JSON pointer, so a mistake
    # found later (linking a crosswalk to its model) still names the line. Not stored.
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def located(self, error: FrameworkDataError) -> FrameworkDataError:
        """``error`` (about this file) pointed at the CSV line its pointer came from."""
        if error.source != self.source or error.line is not None or not self.lines:
            return error
        parts = error.pointer.split("/")
        for end in range(len(parts), 1, -1):
            line = self.lines.get("/".join(parts[:end]))
            if line is not None:
                field = f"{parts[-1]}: " if end < len(parts) else ""
                return FrameworkDataError(self.source, "", field + error.message, line)
        return error


def slug(text: str) -> str:
    """A stable id from a name: accents dropped, lower case, other characters as hyphens."""
    return id_of(text)


def framework_id(document: dict[str, Any]) -> str:
    """An LER.me export's id: ``onet-{soc}-{occupation}``, like the bundled one."""
    occupation = document["occupation"]
    return f"onet-{occupation['soc']}-{slug(occupation['title'])}"


def read_imports(files: Iterable[tuple[str, bytes]]) -> list[ImportedDocument]:
    """Read several files; every mistake of every file is reported together."""
    documents, problems = [], []
    for name, content in files:
        try:
            documents.append(read_import(name, content))
        except FrameworkDataError as error:
            problems.append(error)
    if refusal := gathered(problems):
        raise refusal
    return documents


def read_import(name: str, content: bytes) -> ImportedDocument:
    """Read one file (JSON or CSV by its name) into a checked document."""
    if len(content) > MAX_BYTES:
        raise FrameworkDataError(name, "", f"larger than {MAX_BYTES} bytes")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FrameworkDataError(name, "", f"not UTF-8 text (byte {error.start})") from None
    if name.lower().endswith(".csv"):
        return _read_csv(name, text)
    try:
        document = json.loads(text)
        check_shape(document)  # the depth and array caps every JSON way in has
    except json.JSONDecodeError as error:
        raise FrameworkDataError(name, "", f"not JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise FrameworkDataError(name, "", f"nested more than {MAX_DEPTH} levels deep"
                                 ) from None
    except LimitExceeded as error:
        raise FrameworkDataError(name, error.pointer, str(error)) from None
    return read_json_document(name, document)


def read_json_document(name: str, document: Any) -> ImportedDocument:
    """A parsed JSON file: which kind it is, checked against that kind's schema."""
    if not isinstance(document, dict):
        raise FrameworkDataError(name, "", "expected a JSON object")
    if "schemaVersion" in document:
        build_lerme_framework(document, "import", name)
        return ImportedDocument("framework", framework_id(document),
                                document["framework"]["version"], document, name)
    if "mappings" in document:
        validate(document, "crosswalk", name)
        return ImportedDocument("crosswalk", document["id"], document.get("version", "1"),
                                document, name)
    if "competencies" in document:
        build_model(document, name)
        return ImportedDocument("model", document["id"], document["versionDate"], document,
                                name)
    raise FrameworkDataError(name, "", "not an LER.me framework export (schemaVersion), a "
                                       "crosswalk (mappings) or a competency model "
                                       "(competencies)")


@dataclass
class _Table:
    """A CSV as ``key, value`` lines above a table with a header line."""

    fields: dict[str, str]
    field_lines: dict[str, int]
    rows: list[tuple[int, dict[str, str]]]  # (line number, row by column)


def _table(name: str, text: str, columns: tuple[str, ...], known: set[str],
           problems: list[FrameworkDataError]) -> _Table:
    fields: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    reader = csv.reader(io.StringIO(text))
    try:
        for line in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in line]
            if not any(cells):
                continue
            if header is None:
                names = [cell.lower() for cell in cells]
                if set(columns) <= set(names):
                    header = names
                    continue
                key = cells[0].lower().rstrip(":")
                if key not in known:
                    problems.append(FrameworkDataError(
                        name, "", f"{cells[0]!r} is not one of {', '.join(sorted(known))}, and "
                        f"no header line ({', '.join(columns)}) came before it", number))
                    continue
                fields[key] = next((cell for cell in cells[1:] if cell), "")
                field_lines[key] = number
                continue
            rows.append((number, {column: (cells[i] if i < len(cells) else "")
                                  for i, column in enumerate(header)}))
    except csv.Error as error:
        problems.append(FrameworkDataError(name, "", str(error), reader.line_num))
    if header is None:
        problems.append(FrameworkDataError(name, "", f"no header line naming the columns "
                                                     f"{', '.join(columns)}"))
    elif not rows:
        problems.append(FrameworkDataError(name, "", "no rows under the header line"))
    return _Table(fields, field_lines, rows)


def _read_csv(name: str, text: str) -> ImportedDocument:
    first = text[:4000].lower()
    if "definition" in first and "training type" in first:
        return _model_csv(name, text)
    if "statement" in first and "rationale" in first:
        return _crosswalk_csv(name, text)
    raise FrameworkDataError(name, "", "a CSV needs the model columns (" + ", ".join(
        MODEL_COLUMNS) + ") or the crosswalk columns (" + ", ".join(CROSSWALK_COLUMNS) + ")")


def _required(name: str, fields: dict[str, str], problems: list[FrameworkDataError],
              *keys: str) -> None:
    missing = [key for key in keys if not fields.get(key)]
    if missing:
        problems.append(FrameworkDataError(name, "", f"missing {', '.join(missing)} (a "
                                                     "'key, value' line above the header)"))


def _empty_cells(name: str, number: int, row: dict[str, str], columns: tuple[str, ...]
                 ) -> list[FrameworkDataError]:
    return [FrameworkDataError(name, "", f"{column} is empty", number)
            for column in columns if not row[column]]


def _training_type(value: str) -> str | None:
    for mode, (_label, spellings) in TRAINING_TYPES.items():
        if value.lower() in spellings or slug(value) == mode:
            return mode
    return None


ID = re.compile(r"[a-z0-9]+(-[a-z0-9.]+)*")
VERSION_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?")


def _raise(problems: list[FrameworkDataError]) -> None:
    if refusal := gathered(problems):
        raise refusal


def _located(name: str, error: FrameworkDataError, lines: dict[str, int]
             ) -> list[FrameworkDataError]:
    """Each schema error of a converted CSV, pointed back at its line."""
    return [ImportedDocument("", "", "", {}, name, lines).located(one) for one in error.each]


def _model_csv(name: str, text: str) -> ImportedDocument:
    problems: list[FrameworkDataError] = []
    table = _table(name, text, MODEL_COLUMNS, MODEL_FIELDS, problems)
    fields = table.fields
    _required(name, fields, problems, "id", "title", "publisher", "occupation")
    tiers: dict[str, dict[str, Any]] = {}
    tier_modes: dict[str, set[str]] = {}
    competencies: list[dict[str, Any]] = []
    lines = {f"/{key}": number for key, number in (
        ("id", table.field_lines.get("id")), ("title", table.field_lines.get("title")),
        ("requiredLevel", table.field_lines.get("required level")),
        ("publisher", table.field_lines.get("publisher")),
        ("occupation", table.field_lines.get("occupation"))) if number}
    seen: dict[str, tuple[int, str]] = {}
    for number, row in table.rows:
        empty = _empty_cells(name, number, row, MODEL_COLUMNS)
        problems.extend(empty)
        mode = _training_type(row["training type"])
        if row["training type"] and mode is None:
            problems.append(FrameworkDataError(
                name, "", f"training type: {row['training type']!r} is neither related "
                "instruction (RI) nor on-the-job (OJT)", number))
        competency_id = slug(row["name"])
        if row["name"] and not competency_id:
            problems.append(FrameworkDataError(
                name, "", f"name: {row['name']!r} gives no id (it needs a letter or a digit)",
                number))
        elif competency_id in seen:
            other_line, other_name = seen[competency_id]
            problems.append(FrameworkDataError(
                name, "", f"name: {row['name']!r} gives the id {competency_id!r}, which line "
                f"{other_line} ({other_name!r}) already gives; rename one of them", number))
        elif competency_id:
            seen[competency_id] = (number, row["name"])
        if row["updated date"] and not VERSION_DATE.fullmatch(row["updated date"]):
            problems.append(FrameworkDataError(
                name, "", f"updated date: {row['updated date']!r} is not a date written "
                "YYYY-MM or YYYY-MM-DD", number))
        if empty or mode is None or not competency_id:
            continue
        tier_id = slug(row["tier"])
        tiers.setdefault(tier_id, {"id": tier_id, "name": row["tier"],
                                   "position": len(tiers) + 1})
        tier_modes.setdefault(tier_id, set()).add(mode)
        lines[f"/competencies/{len(competencies)}"] = number
        competencies.append({"id": competency_id, "name": row["name"],
                             "definition": row["definition"], "tier": tier_id,
                             "trainingMode": mode, "sourceUrl": row["source url"]})
    _raise(problems)
    for tier_id, modes in tier_modes.items():
        if len(modes) == 1:
            tiers[tier_id]["trainingMode"] = next(iter(modes))
    used = {c["trainingMode"] for c in competencies}
    document: dict[str, Any] = {
        "id": fields["id"], "title": fields["title"],
        "publisher": {"name": fields["publisher"]},
        "occupation": {"title": fields["occupation"]},
        "sourceUrl": competencies[0]["sourceUrl"],
        "versionDate": max((row["updated date"] for _n, row in table.rows),
                           key=lambda d: (d[:7], len(d))),
        "trainingModes": {mode: {"name": TRAINING_TYPES[mode][0]}
                          for mode in TRAINING_TYPES if mode in used},
        "tiers": list(tiers.values()),
        "competencies": competencies,
    }
    if fields.get("program"):
        document["publisher"]["program"] = fields["program"]
    for key, target in (("occupation description", "description"), ("industry", "industry")):
        if fields.get(key):
            document["occupation"][target] = fields[key]
    if fields.get("based on"):
        document["basedOn"] = fields["based on"]
    if fields.get("required level"):
        document["requiredLevel"] = slug(fields["required level"])
    try:
        build_model(document, name)
    except FrameworkDataError as error:
        _raise(_located(name, error, lines))
    return ImportedDocument("model", document["id"], document["versionDate"], document, name,
                            lines)


def _crosswalk_csv(name: str, text: str) -> ImportedDocument:
    problems: list[FrameworkDataError] = []
    table = _table(name, text, CROSSWALK_COLUMNS, CROSSWALK_FIELDS, problems)
    fields = table.fields
    _required(name, fields, problems, "id", "model", "framework")
    mappings: dict[str, dict[str, list[dict[str, str]]]] = {}
    lines = {f"/{key}": number for key, number in table.field_lines.items()}
    for number, row in table.rows:
        empty = _empty_cells(name, number, row, CROSSWALK_COLUMNS)
        if empty:
            problems.extend(empty)
            continue
        # A competency by its id or its name, a level by its id or label, in any case: the
        # crosswalk is linked to the model by these ids (and names) when it is imported.
        competency, level = (value if ID.fullmatch(value) else slug(value)
                             for value in (row["competency"], row["level"]))
        statement = row["statement"]
        if re.fullmatch(r"[1-9][0-9]*", statement):  # a number alone: of the row's level
            statement = f"{level}-{statement}"
        elif re.fullmatch(r"[A-Za-z0-9 _-]+", statement):
            statement = slug(statement)
        cited = mappings.setdefault(competency, {}).setdefault(level, [])
        for pointer in (f"/mappings/{competency}", f"/mappings/{competency}/{level}"):
            lines.setdefault(pointer, number)
        lines[f"/mappings/{competency}/{level}/{len(cited)}"] = number
        cited.append({"statement": statement, "rationale": row["rationale"]})
    _raise(problems)
    document: dict[str, Any] = {"id": fields["id"], "model": fields["model"],
                                "framework": fields["framework"], "mappings": mappings}
    for key in ("version", "note"):
        if fields.get(key):
            document[key] = fields[key]
    try:
        validate(document, "crosswalk", name)
    except FrameworkDataError as error:
        _raise(_located(name, error, lines))
    return ImportedDocument("crosswalk", document["id"], document.get("version", "1"),
                            document, name, lines)
