"""JSON Schemas of request bodies that services check too (a batch's rows are completions)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

TEXT = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
# RFC 5321: a local part of at most 64 octets; a domain name, not an address literal.
EMAIL = {"type": "string", "maxLength": 320,
         "pattern": r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f\[\]]+\.[^@\s\x00-\x1f\[\]]+$"}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
HTTP_URL = {"type": "string", "maxLength": 2000, "pattern": r"^https?://[^\s]+$"}

COMPLETION = {
    "type": "object",
    "required": ["learner", "competency", "level", "completedOn"],
    "additionalProperties": False,
    "properties": {
        "learner": {"type": "object", "required": ["name", "email"],
                    "additionalProperties": False,
                    "properties": {"name": TEXT, "email": EMAIL}},
        "competency": {"type": "string", "maxLength": 400, "pattern": r"^[a-z0-9.-]+/[a-z0-9.-]+$"},
        "level": {"type": "string", "minLength": 1, "maxLength": 100,  # checked per model
                  "description": "a level id of the framework the competency's model uses: "
                                 "emerging, developing, proficient or advanced for the "
                                 "bundled model; GET /api/v1/frameworks lists each model's "
                                 "levels"},
        "completedOn": DATE,
        "validUntil": DATE,
        "format": {"enum": ["data-integrity", "jwt"]},
        "algorithm": {"enum": ["RS256", "ES256", "EdDSA"]},
        "evidence": {"type": "array", "maxItems": 20, "items": {
            "type": "object", "required": ["name", "narrative"], "additionalProperties": False,
            "properties": {"name": TEXT,
                           "narrative": {"type": "string", "minLength": 1, "maxLength": 5000},
                           "url": HTTP_URL}}},
    },
}

COMPLETION_VALIDATOR = Draft202012Validator(COMPLETION)


def pointer(error: Any) -> str:
    """The JSON pointer of a jsonschema error, naming a missing or unexpected member too."""
    path = [str(p) for p in error.absolute_path]
    if error.validator in ("required", "additionalProperties"):
        path.append(error.message.split("'")[1])
    return "".join(f"/{p}" for p in path)


def schema_errors(validator: Draft202012Validator, body: Any) -> list[dict[str, str]]:
    """Every problem with ``body``, as {"pointer", "detail"}, in document order; each detail
    in plain words naming the field (:func:`plain_message`), never a regex or a repr."""
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    said = {(pointer(e), plain_message(e)): None for e in errors}  # once each ("" is short
    return [{"pointer": at, "detail": detail} for at, detail in said]  # and has no \S)


# What people call the members of a completion (and the other request bodies), by pointer
# with array indexes written as "*".
LABELS = {
    "/learner": "Learner", "/learner/name": "Learner name", "/learner/email": "Learner email",
    "/competency": "Competency", "/level": "Level", "/completedOn": "Completed on",
    "/validUntil": "Valid until", "/format": "Format", "/algorithm": "Algorithm",
    "/evidence": "Evidence", "/evidence/*": "Evidence item",
    "/evidence/*/name": "Evidence title", "/evidence/*/narrative": "What was observed",
    "/evidence/*/url": "Evidence link", "/email": "Learner email",
    "/credentialIds": "Credential ids", "/role": "Role", "/label": "Label",
    "/expiresAt": "Expires at", "/reason": "Reason",
}
# What a well-formed value looks like, for fields whose shape is a pattern.
FORMS = {
    "/learner/email": "enter an email address like name@example.org",
    "/email": "enter an email address like name@example.org",
    "/completedOn": "enter a date like 2026-11-02 (year-month-day)",
    "/validUntil": "enter a date like 2028-11-02 (year-month-day)",
    "/competency": "choose a competency of the model (its id looks like model/competency)",
    "/evidence/*/url": "enter a web address starting with https://",
}
KINDS = {"string": "text", "object": "a group of fields (a JSON object)",
         "array": "a list", "integer": "a whole number", "number": "a number",
         "boolean": "true or false"}


def _generic(path: str) -> str:
    return "/".join("*" if part.isdigit() else part for part in path.split("/"))


def field_label(path: str) -> str:
    """The name people know a field by; for an unknown pointer, its last member."""
    generic = _generic(path)
    if generic in LABELS:
        return LABELS[generic]
    return path.rsplit("/", 1)[-1] or "The request"


def _choices(values: list[Any]) -> str:
    words = [str(v) for v in values]
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]


def plain_message(error: Any) -> str:
    """A jsonschema error in plain words naming the field: "Learner email: enter an email
    address like name@example.org", not the regex it failed."""
    path = pointer(error)
    label = field_label(path)
    kind, value = error.validator, error.validator_value
    if kind == "required":
        return f"{label}: this is required"
    if kind == "additionalProperties":
        return f"{label}: not a field this request takes"
    if kind in ("minLength", "pattern") and isinstance(error.instance, str) \
            and not error.instance.strip():
        return f"{label}: this is required"
    if kind == "pattern":
        return f"{label}: {FORMS.get(_generic(path), 'this is not in the expected form')}"
    if kind == "maxLength":
        return f"{label}: at most {value} characters (this has {len(error.instance)})"
    if kind == "minLength":
        return f"{label}: at least {value} characters"
    if kind == "enum":
        return f"{label}: choose {_choices(value)}"
    if kind == "type":
        wanted = value if isinstance(value, list) else [value]
        return f"{label}: must be {' or '.join(KINDS.get(w, w) for w in wanted)}"
    if kind == "maxItems":
        return f"{label}: at most {value} items"
    if kind == "minItems":
        return f"{label}: at least {value} item" + ("s" if value != 1 else "")
    return f"{label}: this is not a value it can take"
