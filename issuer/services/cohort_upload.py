"""Cohort upload from the desk: a CSV a coordinator fills in (competency names or ids, levels
in any case, and the model where two models share a competency's name), previewed row by row
with each problem in words, then issued as an import job.

The rows are turned into completion bodies here and checked by the batch import's own row
validation (:func:`issuer.services.batches.check_rows`), plus what only the desk knows: the
model's first day, a likely duplicate. Issuing submits the valid rows as a batch job
(:func:`issuer.services.batches.create_job`); its progress is the job's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.frameworks import Catalog
from issuer.services import batches
from issuer.services.callers import Caller
from issuer.services.catalog import catalog
from issuer.services.completions import (
    CompletionRequest,
    likely_duplicates,
)
from issuer.services.errors import Malformed
from issuer.services.field_text import text_errors
from issuer.services.issuers import get_issuer
from issuer.store.models import ImportJob
from keys.encryption import KeyEncryptionKey

COLUMNS = ("learner_name", "learner_email", "competency", "level", "completed_on",
           "valid_until", "evidence", "model")
REQUIRED = COLUMNS[:5]
COLUMN_NAMES = {"learner_name": "Learner name", "learner_email": "Learner email",
                "competency": "Competency", "level": "Level", "completed_on": "Completed on",
                "valid_until": "Valid until", "evidence": "Evidence", "model": "Model"}
POINTER_COLUMNS = {"/learner/name": "learner_name", "/learner/email": "learner_email",
                   "/competency": "competency", "/level": "level",
                   "/completedOn": "completed_on", "/validUntil": "valid_until",
                   "/evidence": "evidence"}
MAX_BYTES = 900 * 1024  # under the service's request cap (1 MiB), which the form posts back


@dataclass
class PreviewRow:
    number: int  # 1 for the first row after the header
    values: dict[str, str]
    body: dict[str, Any]
    competency_name: str = ""
    level_name: str = ""
    errors: list[str] = field(default_factory=list)  # plain words, each naming its column
    duplicate: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[PreviewRow]

    @property
    def valid(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.valid]

    @property
    def duplicates(self) -> list[PreviewRow]:
        return [row for row in self.valid if row.duplicate]

    def to_issue(self, with_duplicates: bool) -> list[PreviewRow]:
        return [row for row in self.valid if with_duplicates or not row.duplicate]


def template_csv(data: Catalog) -> str:
    """The CSV a coordinator downloads: the header and two example rows to overwrite (the
    second names its model, as a row must when two models share a competency's name)."""
    model = next(iter(data.models.values()))
    levels = data.crosswalk_for(model.id).framework.levels
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    today = datetime.now(UTC).date().isoformat()
    writer.writerow(["Jordan Rivera", "jordan.rivera@example.org", model.competencies[0].name,
                     levels[-1].label, today, "", "Observed on the ward", ""])
    writer.writerow(["Sam Lee", "sam.lee@example.org", model.competencies[-1].id,
                     levels[0].id, today, "", "", model.id])
    return out.getvalue()


def decode(raw: bytes) -> str:
    """The uploaded file as text: UTF-8 (with or without the BOM spreadsheets write)."""
    if len(raw) > MAX_BYTES:
        raise Malformed(f"the file is larger than {MAX_BYTES // 1024} KB; "
                        "split the cohort into several files")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Malformed("the file is not UTF-8 text; save it from your spreadsheet as "
                        "“CSV UTF-8”") from None


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Named:
    """A competency a row may name: its key (model/id), its name and its model's title."""

    key: str
    name: str
    model: str


def _competency_keys(data: Catalog) -> dict[str, list[Named]]:
    """Every way a row may name a competency (its name, its id, model/id; any case), to the
    competencies it names: more than one when models share a name or id."""
    keys: dict[str, list[Named]] = {}
    for model in data.models.values():
        for competency in model.competencies:
            named = Named(f"{model.id}/{competency.id}", competency.name, model.title)
            for alias in {_folded(a) for a in (competency.name, competency.id, named.key)}:
                keys.setdefault(alias, []).append(named)
    return keys


def _model_keys(data: Catalog) -> dict[str, str]:
    """Every way the model column may name a model (id, title, occupation; any case)."""
    return {_folded(alias): model.id for model in data.models.values()
            for alias in (model.id, model.title, model.occupation)}


def _levels(data: Catalog, model_id: str | None) -> dict[str, tuple[str, str]]:
    """Level ids and labels (any case) to (id, label): of the model's framework when the
    row's model is known, else of every framework."""
    try:
        frameworks = [data.crosswalk_for(model_id).framework] if model_id else []
    except KeyError:  # a model not yet crosswalked: the batch checks refuse the row
        frameworks = []
    frameworks = frameworks or list(data.frameworks.values())
    return {alias.lower(): (level.id, level.label) for framework in frameworks
            for level in framework.levels for alias in (level.id, level.label)}


def _resolve(values: dict[str, str], competencies: dict[str, list[Named]],
             models: dict[str, str], data: Catalog) -> tuple[Named | None, list[str]]:
    """The competency a row names, or None and why in words (naming its column)."""
    given = values.get("competency", "")
    if not given:
        return None, []  # the batch checks say it is required
    found = competencies.get(_folded(given), [])
    if values.get("model"):
        model_id = models.get(_folded(values["model"]))
        if model_id is None:
            return None, [f"Model: “{values['model']}” is not a competency model; use its id "
                          "or title (" + ", ".join(sorted(data.models)) + ")"]
        title = data.models[model_id].title
        found = [named for named in found if named.key.startswith(f"{model_id}/")]
        if not found:
            return None, [f"Competency: “{given}” is not a competency of the {title}"]
    if not found:
        return None, [f"Competency: “{given}” is not a competency of the model; use its name "
                      "or id as in the template"]
    if len(found) > 1:
        titles = [named.model for named in found]
        listed = ", ".join(titles[:-1]) + f" and {titles[-1]}"
        both = "both " if len(titles) == 2 else ""
        return None, [f"Competency: “{given}” is a competency of {both}the {listed}; give its "
                      f"id with its model (“{found[0].key}”) or name the model in the model "
                      "column"]
    return found[0], []


def parse(text: str, data: Catalog) -> list[PreviewRow]:
    """The rows of an uploaded CSV as completion bodies; a header that is not the template's
    is refused naming the columns missing or unknown."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [" ".join((name or "").lower().split()).replace(" ", "_")
                  for name in reader.fieldnames or []]
    except csv.Error as error:
        raise Malformed(f"the file cannot be read as CSV: {error}") from None
    missing = [COLUMN_NAMES[c] for c in REQUIRED if c not in header]
    unknown = [name for name in header if name and name not in COLUMNS]
    if missing or unknown:
        raise Malformed("the first line must name the template's columns ("
                        + ", ".join(COLUMNS) + ")"
                        + (f"; missing: {', '.join(missing)}" if missing else "")
                        + (f"; not in the template: {', '.join(unknown)}" if unknown else ""))
    reader.fieldnames = header
    competencies, models = _competency_keys(data), _model_keys(data)
    rows = []
    try:
        for number, record in enumerate(reader, start=1):
            values = {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}
            if not any(values.values()):
                continue  # a blank line in the spreadsheet
            named, problems = _resolve(values, competencies, models, data)
            levels = _levels(data, named.key.partition("/")[0] if named else None)
            level, label = levels.get(values.get("level", "").lower(),
                                      (values.get("level", "").lower(), ""))
            body: dict[str, Any] = {
                "learner": {"name": values.get("learner_name", ""),
                            "email": values.get("learner_email", "")},
                "competency": named.key if named else values.get("competency", ""),
                "level": level, "completedOn": values.get("completed_on", "")}
            if values.get("valid_until"):
                body["validUntil"] = values["valid_until"]
            if values.get("evidence"):
                item = {"name": "Evidence", "narrative": values["evidence"]}
                if values["evidence"].startswith(("https://", "http://")) \
                        and " " not in values["evidence"]:
                    item["url"] = values["evidence"]
                body["evidence"] = [item]
            row = PreviewRow(number, values, body, named.name if named else "", label)
            if None in record:
                row.errors.append("this row has more values than the header has columns")
            row.errors += problems
            rows.append(row)
    except csv.Error as error:
        raise Malformed(f"the file cannot be read as CSV: {error}") from None
    if not rows:
        raise Malformed("the file has no rows under its header")
    if len(rows) > batches.MAX_ROWS:
        raise Malformed(f"a cohort upload holds at most {batches.MAX_ROWS} rows; "
                        f"this one has {len(rows)}")
    return rows


def _column(pointer: str) -> str:
    for prefix, column in POINTER_COLUMNS.items():
        if pointer.startswith(prefix):
            return COLUMN_NAMES[column]
    return "Row"


def preview(db: Session, caller: Caller, slug: str, text: str) -> Preview:
    """Every row of the upload with its problems in words (none for a row that will issue)
    and whether it looks already recorded. Nothing is written."""
    caller.require(slug, ("assessor", "admin"))
    with db.begin():
        data = catalog(db)
        rows = parse(text, data)
        for row in rows:
            row.errors += [f"{_column(e['pointer'])}: {e['detail']}"
                           for e in text_errors(row.body)]
        _valid, invalid = batches.check_rows(db, batches.Batch(
            [(index, row.body) for index, row in enumerate(rows)], csv=False))
        for error in invalid:  # every field's problem, whatever else the row has wrong
            row = rows[error["row"]]
            if row.competency_name or not row.values.get("competency") \
                    or not error["field"].startswith("/competency"):
                row.errors.append(_worded(error["field"], error["message"]))
        for row in rows:
            row.errors = list(dict.fromkeys(row.errors))
        checked = [row for row in rows if not row.errors]
        issuer = get_issuer(db, slug)
        for index in likely_duplicates(db, issuer.id, [CompletionRequest.from_json(row.body)
                                                      for row in checked]):
            checked[index].duplicate = True
        _repeated_in_file(checked)
    return Preview(rows)


def _worded(pointer: str, message: str) -> str:
    """A batch check's message, naming the column (schema messages already do)."""
    column = _column(pointer)
    return message if message.startswith(f"{column}:") else f"{column}: {message}"


def _repeated_in_file(rows: list[PreviewRow]) -> None:
    """A row repeating an earlier row of the same file is a likely duplicate too."""
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        key = (row.body["learner"]["email"].lower(), row.body["competency"], row.body["level"],
               row.body["completedOn"])
        if key in seen:
            row.duplicate = True
        seen.add(key)


def submit(db: Session, caller: Caller, slug: str, text: str, with_duplicates: bool,
           idempotency_key: str | None, kek: KeyEncryptionKey) -> tuple[ImportJob, int]:
    """Check the upload again and submit the rows that will issue as one import job;
    (job, rows submitted). A row the preview refused is never sent. The same upload sent
    again (its key) is its first job, even once that job has issued its rows (which would
    now look already recorded)."""
    caller.require(slug, ("assessor", "admin"))
    if idempotency_key:
        with db.begin():
            issuer = get_issuer(db, slug)
            earlier = db.scalars(select(ImportJob).where(
                ImportJob.issuer_id == issuer.id,
                ImportJob.idempotency_key == idempotency_key)).first()
        if earlier is not None:
            return earlier, earlier.total
    chosen = preview(db, caller, slug, text).to_issue(with_duplicates)
    if not chosen:
        raise Malformed("no row of this file can be issued; correct the rows the preview "
                        "lists and upload it again")
    batch = batches.Batch([(row.number, row.body) for row in chosen], csv=False)
    job, _replayed = batches.create_job(db, caller, slug, batch, idempotency_key, kek)
    return job, len(chosen)
