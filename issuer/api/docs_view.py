"""The /docs page made from the OpenAPI document: sections in reading order, each operation's
schemas spelled out (``$ref`` resolved) and a curl command to try it."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from issuer.services.request_schemas import COMPLETION, DATE, EMAIL, HTTP_URL, TEXT

MAX_DEPTH = 6  # deep enough for every schema here; a guard against a schema naming itself


@dataclass
class Row:
    """One line of a schema outline: a member (or the whole body), its type and rules."""

    depth: int
    name: str
    kind: str
    required: bool = False
    note: str = ""


@dataclass
class Body:
    media: str
    rows: list[Row]
    example: str | None = None


@dataclass
class Answer:
    status: str
    description: str
    bodies: list[Body] = field(default_factory=list)


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    bearer: bool
    parameters: list[Row]
    requests: list[Body]
    answers: list[Answer]
    curl: str


@dataclass
class Section:
    name: str
    anchor: str
    description: str
    operations: list[Operation]


def resolve(schema: Any, spec: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``schema`` with a ``$ref`` (to ``#/components/schemas/...``) followed; its name."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rpartition("/")[2]
        return spec["components"]["schemas"][name], name
    return (schema if isinstance(schema, dict) else {}), None


def _merged(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """An ``allOf`` folded into one object schema (members and required lists joined)."""
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in schema["allOf"]:
        part = _merged(resolve(part, spec)[0], spec)
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += part.get("required", [])
    return merged


def _kind(schema: dict[str, Any], spec: dict[str, Any], name: str | None) -> str:
    """The schema's type in words: ``string (date-time)``, ``one of a, b``, ``array of
    Token``."""
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(value) for value in schema["enum"])
    kind = schema.get("type", "object" if "properties" in schema else "any")
    kinds = " or ".join(kind) if isinstance(kind, list) else kind
    if "array" in kinds and "items" in schema:
        items, item_name = resolve(schema["items"], spec)
        kinds = kinds.replace("array", f"array of {_kind(_merged(items, spec), spec, item_name)}")
    if schema.get("format"):
        kinds += f" ({schema['format']})"
    return f"{name} ({kinds})" if name else kinds


RULES = (("minLength", "at least {} character"), ("maxLength", "at most {} character"),
         ("minimum", "at least {}"), ("maximum", "at most {}"),
         ("minItems", "at least {} item"), ("maxItems", "at most {} item"),
         ("pattern", "{}"), ("default", "default {}"))
# The schemas' patterns as a developer would say them (a regex is for the validator).
PATTERNS = {
    TEXT["pattern"]: "not blank",
    EMAIL["pattern"]: "an email address, like name@example.org",
    COMPLETION["properties"]["competency"]["pattern"]:
        "a model id and a competency id, model/competency",
    DATE["pattern"]: "a date, YYYY-MM-DD",
    HTTP_URL["pattern"]: "a web address starting http:// or https://",
    r"^cc_": "starting cc_",
    r"^[^/\\]+\.(json|csv|JSON|CSV)$": "a file name ending .json or .csv",
}


def _rule(key: str, text: str, value: Any) -> str:
    """One rule in words: a pattern as PATTERNS says it, "1 character", "2 characters"."""
    if key == "pattern":
        return PATTERNS.get(value, f"matching the pattern {value}")
    if key == "default":
        return text.format(json.dumps(value))
    if key == "minLength" and value == 1:
        return "not empty"
    return text.format(value) + ("s" if text.endswith(("character", "item")) and value != 1
                                 else "")


def _note(schema: dict[str, Any]) -> str:
    rules = [_rule(key, text, schema[key]) for key, text in RULES if key in schema]
    if schema.get("additionalProperties") is False:
        rules.append("no other members")
    description = schema.get("description", "")
    return "; ".join(filter(None, [description, ", ".join(rules)]))


def outline(schema: Any, spec: dict[str, Any], name: str = "(body)", depth: int = 0,
            required: bool = False) -> list[Row]:
    """The schema as rows: itself, then each member (and each array item's members),
    indented by depth."""
    resolved, ref_name = resolve(schema, spec)
    resolved = _merged(resolved, spec)
    rows = [Row(depth, name, _kind(resolved, spec, ref_name), required, _note(resolved))]
    if depth >= MAX_DEPTH:
        return rows
    members = resolved
    if "items" in resolved:
        members = _merged(resolve(resolved["items"], spec)[0], spec)
    needed = set(members.get("required", []))
    for member, member_schema in members.get("properties", {}).items():
        rows += outline(member_schema, spec, member, depth + 1, member in needed)
    return rows


def _example_text(example: Any) -> str | None:
    if example is None:
        return None
    return example if isinstance(example, str) else json.dumps(example, indent=2,
                                                               ensure_ascii=False)


PROBLEM_JSON = "application/problem+json"


def _bodies(content: dict[str, Any], spec: dict[str, Any]) -> list[Body]:
    """Each media type's schema as rows and its example; problem details are described once
    on the page, not under every answer."""
    return [Body(media, _telling(outline(body.get("schema", {}), spec))
                 if media != PROBLEM_JSON else [], _example_text(body.get("example")))
            for media, body in content.items()]


def _telling(rows: list[Row]) -> list[Row]:
    """The rows, unless they say no more than "an object" or "a string"."""
    return [] if len(rows) == 1 and not rows[0].note and rows[0].kind in (
        "object", "string", "any") else rows


def curl(base: str, path: str, method: str, operation: dict[str, Any]) -> str:
    """A command that makes the request, with the examples' values."""
    url = base + path
    query = {}
    for parameter in operation.get("parameters", []):
        example = parameter.get("example")
        if parameter.get("in") == "path":
            url = url.replace("{" + parameter["name"] + "}", str(example or parameter["name"]))
        elif parameter.get("in") == "query" and example is not None:
            query[parameter["name"]] = example
    if query:
        url += "?" + urlencode(query)
    words = ["curl", "-s"] + (["-X", method.upper()] if method != "get" else [])
    lines = [" ".join([*words, shlex.quote(url)])]
    if operation.get("security"):
        lines.append('-H "Authorization: Bearer $TOKEN"')
    content = operation.get("requestBody", {}).get("content", {})
    media, body = next(iter(content.items()), (None, {}))
    example = body.get("example")
    if media == "application/json" and example is not None:
        lines.append("-H 'Content-Type: application/json'")
        lines.append("-d " + shlex.quote(json.dumps(example, ensure_ascii=False)))
    elif media == "text/csv" and example is not None:
        lines += ["-H 'Content-Type: text/csv'", "--data-binary " + shlex.quote(example)]
    elif media in ("multipart/form-data", "application/x-www-form-urlencoded") and \
            isinstance(example, dict):
        flag = "-F" if media == "multipart/form-data" else "--data-urlencode"
        lines += [f"{flag} " + shlex.quote(f"{key}={value}") for key, value in example.items()]
    answers = operation.get("responses", {})
    if any(media.startswith("image/") for answer in answers.values()
           for media in answer.get("content", {})):
        lines.append("-o " + shlex.quote(url.rpartition("/")[2]))  # not to the terminal
    if any("text/html" in answer.get("content", {}) for answer in answers.values()):
        lines.append("-H 'Accept: text/html'" if path.startswith(("/desk", "/verify"))
                     else "-H 'Accept: application/json'")
    return " \\\n  ".join(lines)


def _operation(spec: dict[str, Any], base: str, path: str, method: str,
               operation: dict[str, Any]) -> Operation:
    parameters = [Row(0, f"{p['name']} ({p['in']})", _kind(p.get("schema", {}), spec, None),
                      bool(p.get("required")), p.get("description", ""))
                  for p in operation.get("parameters", [])]
    requests = _bodies(operation.get("requestBody", {}).get("content", {}), spec)
    answers = [Answer(status, answer.get("description", ""),
                      _bodies(answer.get("content", {}), spec))
               for status, answer in sorted(operation["responses"].items())]
    anchor = f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "") \
        .replace(":", "-").replace(".", "-").strip("-")
    return Operation(anchor, method.upper(), path, operation.get("summary", ""),
                     operation.get("description", ""), bool(operation.get("security")),
                     parameters, requests, answers, curl(base, path, method, operation))


def sections(spec: dict[str, Any]) -> list[Section]:
    """The document's operations by section, in the document's order of sections."""
    base = spec["servers"][0]["url"]
    found = {tag["name"]: Section(tag["name"], "section-" + tag["name"].lower().replace(" ", "-"),
                                  tag["description"], []) for tag in spec["tags"]}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            found[operation["tags"][0]].operations.append(
                _operation(spec, base, path, method, operation))
    return [section for section in found.values() if section.operations]
