"""The desk's completion form: one learner, several competencies. Reads the posted fields
into completion bodies and maps each problem back to the field it is about, so the form is
shown again with what was typed and a message beside each field at fault."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from issuer.services.field_text import text_errors
from issuer.services.request_schemas import COMPLETION_VALIDATOR, field_label, schema_errors

ROW_FIELDS = ("competency", "level", "completed_on", "valid_until", "evidence_name",
              "evidence_narrative", "evidence_url")
MAX_ROWS = 25
# Where a pointer into one completion body is shown on the form.
POINTER_FIELDS = (
    ("/learner/name", "learner_name"), ("/learner/email", "learner_email"),
    ("/competency", "competency"), ("/level", "level"), ("/completedOn", "completed_on"),
    ("/validUntil", "valid_until"), ("/evidence/0/name", "evidence_name"),
    ("/evidence/0/narrative", "evidence_narrative"), ("/evidence/0/url", "evidence_url"),
)


@dataclass
class CompletionForm:
    """What was typed: the learner once, then one dict of ROW_FIELDS per competency."""

    learner_name: str = ""
    learner_email: str = ""
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)  # field id -> messages
    duplicates: list[int] = field(default_factory=list)  # rows that look already recorded

    @classmethod
    def blank(cls) -> CompletionForm:
        return cls(rows=[blank_row()])

    @classmethod
    def from_post(cls, form: MultiDict[str, str]) -> CompletionForm:
        columns = {name: form.getlist(name) for name in ROW_FIELDS}
        count = min(max((len(values) for values in columns.values()), default=0), MAX_ROWS)
        rows = [{name: (columns[name][i] if i < len(columns[name]) else "")
                 for name in ROW_FIELDS} for i in range(count)]
        return cls(form.get("learner_name", ""), form.get("learner_email", ""),
                   rows or [blank_row()])

    def add_row(self) -> None:
        """One more competency, on the same date and at the same level as the last."""
        if len(self.rows) < MAX_ROWS:
            last = self.rows[-1] if self.rows else blank_row()
            self.rows.append({**blank_row(), "level": last.get("level", ""),
                              "completed_on": last.get("completed_on", "")})

    def filled(self) -> list[int]:
        """Rows that say anything beyond the level and date carried from the last row (a
        row left on "Choose a competency" and otherwise empty is left out)."""
        return [i for i, row in enumerate(self.rows)
                if any(row[name].strip() for name in ROW_FIELDS
                       if name not in ("level", "completed_on"))]

    def body(self, index: int) -> dict[str, Any]:
        """Row ``index`` as a completion request body (the API's shape)."""
        row = self.rows[index]
        body: dict[str, Any] = {
            "learner": {"name": self.learner_name.strip(), "email": self.learner_email.strip()},
            "competency": row["competency"], "level": row["level"],
            "completedOn": row["completed_on"].strip()}
        if row["valid_until"].strip():
            body["validUntil"] = row["valid_until"].strip()
        if row["evidence_name"].strip() or row["evidence_narrative"].strip() \
                or row["evidence_url"].strip():
            item = {"name": row["evidence_name"].strip(),
                    "narrative": row["evidence_narrative"].strip()}
            if row["evidence_url"].strip():
                item["url"] = row["evidence_url"].strip()
            body["evidence"] = [item]
        return body

    def repeated(self) -> list[int]:
        """Filled rows that repeat an earlier row (competency, level and date)."""
        seen, again = set(), []
        for index in self.filled():
            row = self.rows[index]
            key = (row["competency"], row["level"], row["completed_on"].strip())
            if key in seen:
                again.append(index)
            seen.add(key)
        return again

    def add_error(self, index: int | None, pointer: str, message: str) -> None:
        """Attach ``message`` to the field ``pointer`` names in row ``index``."""
        self.errors.setdefault(field_id(index, pointer), []).append(message)

    def check(self) -> bool:
        """Check every filled row's shape and text; False (errors set) if any is wrong."""
        rows = self.filled()
        if not rows:
            self.add_error(0, "/competency", "Competency: choose at least one competency")
        for index in rows:
            body = self.body(index)
            for error in text_errors(body) + schema_errors(COMPLETION_VALIDATOR, body):
                message = error["detail"]
                if not message[:1].isupper():  # a text error: name the field
                    message = f"{label_of(error['pointer'])}: {message}"
                self.add_error(index, error["pointer"], message)
        return not self.errors

    def flagged(self) -> list[frozenset[str]]:
        """For each filled row, the top-level fields already refused (not checked again)."""
        ids = {name: pointer for pointer, name in POINTER_FIELDS}
        return [frozenset("/" + ids[key.rsplit("-", 1)[0]].split("/")[1]
                          for key in self.errors
                          if key.rpartition("-")[::2] in {(name, str(index)) for name in ids})
                for index in self.filled()]

    def add_meaning_errors(self, problems: list[list[dict[str, str]]]) -> None:
        """The catalog's and calendar's problems (one list per filled row) beside their
        fields, so every problem of every row is said on the same submit."""
        for index, errors in zip(self.filled(), problems, strict=True):
            for error in errors:
                self.add_error(index, error["pointer"], error["detail"])

    def message_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the summary at the top of the form, in form order."""
        order = ["learner_name", "learner_email"] + [f"{name}-{i}"
                                                     for i in range(len(self.rows))
                                                     for name in ROW_FIELDS]
        return sorted(((key, message) for key, messages in self.errors.items()
                       for message in dict.fromkeys(messages)),
                      key=lambda item: order.index(item[0]) if item[0] in order else -1)


def blank_row() -> dict[str, str]:
    return dict.fromkeys(ROW_FIELDS, "")  # no level chosen: the assessor must choose one


def field_id(index: int | None, pointer: str) -> str:
    """The id of the form field a pointer into row ``index``'s body is about."""
    for prefix, name in POINTER_FIELDS:
        if pointer == prefix or pointer.startswith(prefix + "/"):
            return name if name.startswith("learner_") else f"{name}-{index or 0}"
    if pointer.startswith("/learner"):
        return "learner_name"
    if pointer.startswith("/evidence"):
        return f"evidence_name-{index or 0}"
    return f"competency-{index or 0}"


def label_of(pointer: str) -> str:
    return field_label(re.sub(r"/\d+", "/0", pointer))
