"""Request bodies: parsed as JSON and checked against schemas, errors with JSON pointers."""

from __future__ import annotations

from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from issuer.problems import Problem, validation_problem

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
        "level": {"enum": ["emerging", "developing", "proficient", "advanced"]},
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

LEARNER_RECORD = {
    "type": "object", "required": ["email"], "additionalProperties": False,
    "properties": {
        "email": EMAIL,
        "credentialIds": {"type": "array", "minItems": 1, "maxItems": 500,
                          "items": {"type": "string", "maxLength": 64}},
        "format": {"enum": ["data-integrity", "jwt"]},
        "algorithm": {"enum": ["RS256", "ES256", "EdDSA"]},
    },
}

STATUS_CHANGE = {
    "type": "object", "additionalProperties": False,
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
}

TOKEN = {
    "type": "object", "required": ["role"], "additionalProperties": False,
    "properties": {"role": {"enum": ["assessor", "admin"]}, "label": TEXT},
}


def json_body(expect_object: bool = True) -> Any:
    """The request's JSON; 415 for another media type, 400 for malformed JSON."""
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type",
                      f"send the body as application/json, not "
                      f"{request.mimetype or 'no content type'}")
    body = request.get_json(silent=True)
    if body is None:
        raise Problem(400, "Bad Request", "the body is not valid JSON")
    if expect_object and not isinstance(body, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    return body


def _pointer(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        path.append(error.message.split("'")[1])
    if error.validator == "additionalProperties":
        path.append(error.message.split("'")[1])
    return "".join(f"/{p}" for p in path)


def validated(body: Any, schema: dict[str, Any]) -> Any:
    """``body`` if it matches ``schema``; otherwise a 422 listing every problem."""
    errors = sorted(Draft202012Validator(schema).iter_errors(body),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise validation_problem([{"pointer": _pointer(e), "detail": e.message[:300]}
                                  for e in errors[:20]])
    return body
