"""Files an operator or employer imports: an LER.me framework export, a competency model (our
JSON, or a CSV an office writes in a spreadsheet) and a crosswalk (JSON or CSV).

Each file is read into the JSON document the store keeps, checked against its schema, and
named by kind, id and version. A mistake is reported as ``FILE: line N: …`` for CSV and
``FILE: /json/pointer: …`` for JSON, so it can be found and fixed in the file itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from credentials.frameworks.loader import (
    FrameworkDataError,
    build_lerme_framework,
    build_model,
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


def slug(text: str) -> str:
    """A stable id from a name: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def framework_id(document: dict[str, Any]) -> str:
    """An LER.me export's id: ``onet-{soc}-{occupation}``, like the bundled one."""
    occupation = document["occupation"]
    return f"onet-{occupation['soc']}-{slug(occupation['title'])}"


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
        raise FrameworkDataError(name, "", f"line {error.lineno}: not JSON: {error.msg}"
                                 ) from None
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
    rows: list[tuple[int, dict[str, str]]]  # (line number, row by column)


def _table(name: str, text: str, columns: tuple[str, ...], known: set[str]) -> _Table:
    fields: dict[str, str] = {}
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
                    raise FrameworkDataError(name, "", f"line {number}: {cells[0]!r} is not one "
                                             f"of {', '.join(sorted(known))}, and no header line "
                                             f"({', '.join(columns)}) came before it")
                fields[key] = next((cell for cell in cells[1:] if cell), "")
                continue
            rows.append((number, {column: (cells[i] if i < len(cells) else "")
                                  for i, column in enumerate(header)}))
    except csv.Error as error:
        raise FrameworkDataError(name, "", f"line {reader.line_num}: {error}") from None
    if header is None:
        raise FrameworkDataError(name, "", f"no header line naming the columns "
                                           f"{', '.join(columns)}")
    if not rows:
        raise FrameworkDataError(name, "", "no rows under the header line")
    return _Table(fields, rows)


def _read_csv(name: str, text: str) -> ImportedDocument:
    first = text[:4000].lower()
    if "definition" in first and "training type" in first:
        return _model_csv(name, text)
    if "statement" in first and "rationale" in first:
        return _crosswalk_csv(name, text)
    raise FrameworkDataError(name, "", "a CSV needs the model columns (" + ", ".join(
        MODEL_COLUMNS) + ") or the crosswalk columns (" + ", ".join(CROSSWALK_COLUMNS) + ")")


def _required(name: str, fields: dict[str, str], *keys: str) -> None:
    missing = [key for key in keys if not fields.get(key)]
    if missing:
        raise FrameworkDataError(name, "", f"missing {', '.join(missing)} (a 'key, value' "
                                           "line above the header)")


def _training_type(name: str, number: int, value: str) -> str:
    for mode, (_label, spellings) in TRAINING_TYPES.items():
        if value.lower() in spellings or slug(value) == mode:
            return mode
    raise FrameworkDataError(name, "", f"line {number}: training type: {value!r} is neither "
                                       "related instruction nor on-the-job")


def _version_date(name: str, number: int, value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?", value):
        raise FrameworkDataError(name, "", f"line {number}: updated date: {value!r} is not "
                                           "YYYY-MM or YYYY-MM-DD")
    return value


def _line_error(name: str, error: FrameworkDataError, lines: list[int], collection: str
                ) -> FrameworkDataError:
    """A schema error in the converted document, pointed back at its CSV line."""
    match = re.match(rf"^/{collection}/(\d+)(/.*)?$", error.pointer)
    if match and int(match.group(1)) < len(lines):
        field = (match.group(2) or "").lstrip("/")
        message = str(error).split(": ", 2)[-1]
        return FrameworkDataError(name, "", f"line {lines[int(match.group(1))]}: "
                                            f"{field or 'row'}: {message}")
    return error


def _model_csv(name: str, text: str) -> ImportedDocument:
    table = _table(name, text, MODEL_COLUMNS, MODEL_FIELDS)
    fields = table.fields
    _required(name, fields, "id", "title", "publisher", "occupation")
    tiers: dict[str, dict[str, Any]] = {}
    tier_modes: dict[str, set[str]] = {}
    competencies: list[dict[str, Any]] = []
    lines: list[int] = []
    seen: dict[str, int] = {}
    for number, row in table.rows:
        for column in MODEL_COLUMNS:
            if not row[column]:
                raise FrameworkDataError(name, "", f"line {number}: {column} is empty")
        tier_id = slug(row["tier"])
        tiers.setdefault(tier_id, {"id": tier_id, "name": row["tier"],
                                   "position": len(tiers) + 1})
        mode = _training_type(name, number, row["training type"])
        tier_modes.setdefault(tier_id, set()).add(mode)
        competency_id = slug(row["name"])
        if competency_id in seen:
            raise FrameworkDataError(name, "", f"line {number}: name: {row['name']!r} is "
                                               f"already on line {seen[competency_id]}")
        seen[competency_id] = number
        _version_date(name, number, row["updated date"])
        competencies.append({"id": competency_id, "name": row["name"],
                             "definition": row["definition"], "tier": tier_id,
                             "trainingMode": mode, "sourceUrl": row["source url"]})
        lines.append(number)
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
        document["requiredLevel"] = fields["required level"]
    try:
        build_model(document, name)
    except FrameworkDataError as error:
        raise _line_error(name, error, lines, "competencies") from None
    return ImportedDocument("model", document["id"], document["versionDate"], document, name)


def _crosswalk_csv(name: str, text: str) -> ImportedDocument:
    table = _table(name, text, CROSSWALK_COLUMNS, CROSSWALK_FIELDS)
    fields = table.fields
    _required(name, fields, "id", "model", "framework")
    mappings: dict[str, dict[str, list[dict[str, str]]]] = {}
    for number, row in table.rows:
        for column in CROSSWALK_COLUMNS:
            if not row[column]:
                raise FrameworkDataError(name, "", f"line {number}: {column} is empty")
        statement = row["statement"]
        if re.fullmatch(r"[1-9][0-9]*", statement):  # a number alone: of the row's level
            statement = f"{row['level']}-{statement}"
        cited = mappings.setdefault(row["competency"], {}).setdefault(row["level"], [])
        cited.append({"statement": statement, "rationale": row["rationale"]})
    document: dict[str, Any] = {"id": fields["id"], "model": fields["model"],
                                "framework": fields["framework"], "mappings": mappings}
    for key in ("version", "note"):
        if fields.get(key):
            document[key] = fields[key]
    try:
        validate(document, "crosswalk", name)
    except FrameworkDataError as error:
        where = _crosswalk_line(table, error.pointer)
        if where is None:
            raise
        raise FrameworkDataError(name, "", f"line {where}: {str(error).split(': ', 2)[-1]}"
                                 ) from None
    return ImportedDocument("crosswalk", document["id"], document.get("version", "1"),
                            document, name)


def _crosswalk_line(table: _Table, pointer: str) -> int | None:
    """The CSV line a pointer into the converted crosswalk came from."""
    parts = pointer.split("/")
    if len(parts) < 3 or parts[1] != "mappings":
        return None
    for number, row in table.rows:
        if row["competency"] == parts[2] and (len(parts) < 4 or row["level"] == parts[3]):
            return number
    return None
