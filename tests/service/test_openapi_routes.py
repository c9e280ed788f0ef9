"""Every route the app serves is in /openapi.json, and every documented operation is served:
schemathesis only calls what the document lists, and readers only find what it lists."""

from __future__ import annotations

import re

# Routes left out of the document, each with its reason.
UNDOCUMENTED = {
    ("/static/{}", "get"): "files (stylesheets, scripts) the pages load, not an API",
    ("/openapi.json", "get"): "the document itself",
    ("/docs", "get"): "the document itself, as a page",
    ("/favicon.ico", "get"): "the site's icon, for browsers",
}


def shape(path: str) -> str:
    """A path with its parameters unnamed: Flask's ``<converter:name>`` and OpenAPI's
    ``{name}`` both become ``{}`` (the document names parameters for readers, e.g. {id} for
    the route's <credential_id>; what must agree is where they stand)."""
    return re.sub(r"<[^<>]+>|\{[^{}]+\}", "{}", path)


def served(app) -> set[tuple[str, str]]:
    return {(shape(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def documented(client) -> set[tuple[str, str]]:
    paths = client.get("/openapi.json").get_json()["paths"]
    return {(shape(path), method) for path, operations in paths.items()
            for method in operations}


def test_every_route_is_in_the_openapi_document(service) -> None:
    missing = served(service.app) - documented(service.client) - set(UNDOCUMENTED)
    assert not missing, f"routes missing from /openapi.json: {sorted(missing)}"


def test_every_documented_operation_is_a_route(service) -> None:
    stale = documented(service.client) - served(service.app)
    assert not stale, f"documented but not served: {sorted(stale)}"


def test_every_exclusion_is_a_route(service) -> None:
    """An exclusion for a route that is gone would hide the next route of that shape."""
    assert set(UNDOCUMENTED) <= served(service.app)
