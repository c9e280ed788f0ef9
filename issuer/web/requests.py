"""Request bodies: parsed as JSON and checked against schemas, errors with JSON pointers."""

from __future__ import annotations

from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from credentials.verify.limits import LimitExceeded, parse_json
from issuer.services.field_text import bad_character, check_text, refuse_lone_surrogates
from issuer.services.request_schemas import EMAIL, TEXT, schema_errors
from issuer.web.problems import UNACCEPTABLE_TEXT, Problem, validation_problem

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

WALLET_OFFER = {
    "type": "object", "additionalProperties": False,
    "properties": {"txCode": {"type": "boolean"}},
}

TOKEN = {
    "type": "object", "required": ["role"], "additionalProperties": False,
    "properties": {"role": {"enum": ["assessor", "admin"]}, "label": TEXT,
                   "expiresAt": {"type": "string", "minLength": 10, "maxLength": 40}},
}


def limit_problem(error: LimitExceeded) -> Problem:
    """The problem for input over a cap: 413 for size, 400 for shape, naming the cap."""
    return Problem(error.status, "Content Too Large" if error.status == 413 else "Bad Request",
                   str(error), errors=[{"pointer": error.pointer, "detail": str(error)}],
                   cap=error.cap, limit=error.limit)


def json_body(expect_object: bool = True) -> Any:
    """The request's JSON; 415 for another media type, 400 for malformed JSON or JSON whose
    shape no credential needs (the caps of :mod:`credentials.verify.limits`: depth, array
    length, inline contexts; a lone surrogate), 413 over the size cap: refused before any
    processing."""
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type",
                      f"send the body as application/json, not "
                      f"{request.mimetype or 'no content type'}")
    try:
        body = parse_json(request.get_data(), "the body")
    except LimitExceeded as error:
        raise limit_problem(error) from None
    except ValueError:
        raise Problem(400, "Bad Request", "the body is not valid JSON") from None
    refuse_lone_surrogates(body)
    if expect_object and not isinstance(body, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    return body


def validated(body: Any, schema: dict[str, Any]) -> Any:
    """``body`` if it matches ``schema``; otherwise a 422 listing every problem (each with
    its JSON pointer), its detail the first problem in plain words."""
    errors = schema_errors(Draft202012Validator(schema), body)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise validation_problem(errors[:20], detail=errors[0]["detail"] + more)
    return body


def checked_body(schema: dict[str, Any]) -> Any:
    """The request's JSON body, within the caps, holding no unacceptable text, and matching
    ``schema``: what every creating route reads first (400, 413 or 422 otherwise)."""
    body = json_body()
    check_text(body)
    return validated(body, schema)


def refuse_control_characters_in_url() -> None:
    """Every request: 400 for a path or query parameter holding NUL or another control
    character. No slug, identifier or parameter here has one, and PostgreSQL cannot even
    compare text holding NUL, so looking it up would fail rather than find nothing."""
    if why := bad_character(request.path):  # the same problem type as text in a body
        raise Problem(400, "Bad Request", f"the path {why}", type_=UNACCEPTABLE_TEXT)
    for name, value in request.args.items(multi=True):
        if why := bad_character(name) or bad_character(value):
            raise Problem(400, "Bad Request", f"the query parameter {name!r} {why}",
                          type_=UNACCEPTABLE_TEXT)
