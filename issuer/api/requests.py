"""Request bodies: parsed as JSON and checked against schemas, errors with JSON pointers."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from jsonschema import Draft202012Validator

from issuer.problems import Problem, validation_problem
from issuer.services.field_text import bad_character, refuse_lone_surrogates
from issuer.services.request_schemas import EMAIL, TEXT, schema_errors

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
    "properties": {"role": {"enum": ["assessor", "admin"]}, "label": TEXT,
                   "expiresAt": {"type": "string", "minLength": 10, "maxLength": 40}},
}


MAX_DEPTH = 64
MAX_ARRAY = 10_000
MAX_INLINE_CONTEXTS = 50


def json_body(expect_object: bool = True) -> Any:
    """The request's JSON; 415 for another media type, 400 for malformed JSON or JSON whose
    shape no credential needs (deeper than ``MAX_DEPTH``, an array longer than ``MAX_ARRAY``,
    more than ``MAX_INLINE_CONTEXTS`` inline contexts, a lone surrogate): refused before any
    processing."""
    if not request.is_json:
        raise Problem(415, "Unsupported Media Type",
                      f"send the body as application/json, not "
                      f"{request.mimetype or 'no content type'}")
    try:
        body = json.loads(request.get_data())
    except RecursionError:
        raise Problem(400, "Bad Request", f"the JSON is nested more than {MAX_DEPTH} levels "
                      "deep") from None
    except ValueError:
        raise Problem(400, "Bad Request", "the body is not valid JSON") from None
    check_shape(body)
    refuse_lone_surrogates(body)
    if expect_object and not isinstance(body, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    return body


def check_shape(body: Any) -> None:
    """Walk ``body`` without recursion; 400 naming the first place over a limit."""
    stack: list[tuple[Any, str, int]] = [(body, "", 0)]
    contexts = 0
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Problem(400, "Bad Request",
                          f"{path}: the JSON is nested more than {MAX_DEPTH} levels deep",
                          errors=[{"pointer": path, "detail": "nested too deeply"}])
        if isinstance(value, dict):
            context = value.get("@context")
            if context is not None and not isinstance(context, str):
                contexts += sum(isinstance(c, dict)
                                for c in (context if isinstance(context, list) else [context]))
                if contexts > MAX_INLINE_CONTEXTS:
                    raise Problem(400, "Bad Request", f"{path}/@context: more than "
                                  f"{MAX_INLINE_CONTEXTS} inline JSON-LD contexts",
                                  errors=[{"pointer": f"{path}/@context",
                                           "detail": "too many inline contexts"}])
            stack.extend((item, f"{path}/{key}", depth + 1) for key, item in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_ARRAY:
                raise Problem(400, "Bad Request",
                              f"{path}: an array of {len(value)} items (at most {MAX_ARRAY})",
                              errors=[{"pointer": path, "detail": "array too long"}])
            stack.extend((item, f"{path}/{i}", depth + 1) for i, item in enumerate(value))


def validated(body: Any, schema: dict[str, Any]) -> Any:
    """``body`` if it matches ``schema``; otherwise a 422 listing every problem."""
    errors = schema_errors(Draft202012Validator(schema), body)
    if errors:
        raise validation_problem(errors[:20])
    return body


def refuse_control_characters_in_url() -> None:
    """Every request: 400 for a path or query parameter holding NUL or another control
    character. No slug, identifier or parameter here has one, and PostgreSQL cannot even
    compare text holding NUL, so looking it up would fail rather than find nothing."""
    if why := bad_character(request.path):
        raise Problem(400, "Bad Request", f"the path {why}")
    for name, value in request.args.items(multi=True):
        if why := bad_character(name) or bad_character(value):
            raise Problem(400, "Bad Request", f"the query parameter {name!r} {why}")
