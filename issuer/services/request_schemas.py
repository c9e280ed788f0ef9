"""JSON Schemas of request bodies that services check too (a batch's rows are completions)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

TEXT = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
EMAIL = {"type": "string", "maxLength": 320,
         "pattern": r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"}
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
        "level": {"type": "string", "minLength": 1, "maxLength": 100},  # checked per model
        "completedOn": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
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
    """Every problem with ``body``, as {"pointer", "detail"}, in document order."""
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    return [{"pointer": pointer(e), "detail": e.message[:300]} for e in errors]
