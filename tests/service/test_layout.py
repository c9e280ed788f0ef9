"""The service's folder shows its audiences: every route's handler lives in the package of
the audience it serves, and docs/architecture.md's route map names every handler module, so
a newcomer goes from a URL to its handler, services and tables in one hop."""

from __future__ import annotations

from pathlib import Path

AUDIENCE_PACKAGES = ("issuer.api.", "issuer.protocols.", "issuer.pages.", "issuer.operations.")
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def handler_modules(app) -> dict[str, list[str]]:
    """Each handler module with the routes it serves (static files aside)."""
    modules: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        module = app.view_functions[rule.endpoint].__module__
        modules.setdefault(module, []).append(rule.rule)
    return modules


def test_every_handler_lives_with_its_audience(service) -> None:
    misplaced = {module: routes for module, routes in handler_modules(service.app).items()
                 if not module.startswith(AUDIENCE_PACKAGES)}
    assert not misplaced, f"handlers outside api/, protocols/, pages/, operations/: {misplaced}"


def test_the_route_map_names_every_handler_module(service) -> None:
    route_map = ARCHITECTURE.read_text(encoding="utf-8").split("## Where a route lives", 1)[1]
    route_map = route_map.split("\n## ", 1)[0]
    missing = sorted(module for module in handler_modules(service.app)
                     if f"`{module.replace('.', '/')}.py`" not in route_map)
    assert not missing, f"docs/architecture.md's route map lacks {missing}"
