"""The service's folder shows its audiences: every route's handler lives in the package of
the audience it serves, and docs/architecture.md's route map names every handler module with
the services it calls, so a newcomer goes from a URL to its handler, services and tables in
one hop."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

AUDIENCE_PACKAGES = ("issuer.api.", "issuer.protocols.", "issuer.pages.", "issuer.operations.")
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
# Service modules that are plumbing (what a refusal is, who calls, text checks, schemas),
# not use cases a reader follows a route into.
PLUMBING = {"errors", "callers", "field_text", "request_schemas", "context"}


def handler_modules(app) -> dict[str, list[str]]:
    """Each handler module with the routes it serves (static files aside)."""
    modules: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        module = app.view_functions[rule.endpoint].__module__
        modules.setdefault(module, []).append(rule.rule)
    return modules


def services_imported(module: str) -> set[str]:
    """The ``issuer.services`` modules a module imports, by their short names."""
    tree = ast.parse(Path(importlib.import_module(module).__file__).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "issuer.services":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "issuer.services."):
            found.add(node.module.split(".")[2])
    return found - PLUMBING


def route_map() -> dict[str, set[str]]:
    """Handler module -> the services its rows name, read from the route map's table."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## Where a route lives", 1)[1]
    rows: dict[str, set[str]] = {}
    for line in text.split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 4 or not cells[1].startswith("`issuer/"):
            continue
        module = cells[1].strip("`").removesuffix(".py").replace("/", ".")
        rows.setdefault(module, set()).update(re.findall(r"[a-z][a-z0-9_]*", cells[2]))
    return rows


def test_every_handler_lives_with_its_audience(service) -> None:
    misplaced = {module: routes for module, routes in handler_modules(service.app).items()
                 if not module.startswith(AUDIENCE_PACKAGES)}
    assert not misplaced, f"handlers outside api/, protocols/, pages/, operations/: {misplaced}"


def test_the_route_map_names_every_handler_and_the_services_it_calls(service) -> None:
    rows = route_map()
    missing = sorted(set(handler_modules(service.app)) - set(rows))
    assert not missing, f"docs/architecture.md's route map lacks {missing}"
    unnamed = {module: sorted(services_imported(module) - rows[module]) for module in rows}
    assert not any(unnamed.values()), f"services the route map does not name: {unnamed}"


def test_the_module_tree_names_every_module() -> None:
    """The tree at the top of docs/architecture.md is where a newcomer looks for a module
    first: every module of the service's packages and of the library's top level is in it."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    tree = text[text.index("```\nissuer/"):text.index("## Where a route lives")]
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tree))
    root = ARCHITECTURE.parents[1]
    folders = [root / "issuer" / name for name in
               ("api", "protocols", "pages", "operations", "web", "services")]
    folders += [root / "credentials", root / "credentials" / "verify"]
    missing = sorted(f"{path.parent.name}/{path.name}" for folder in folders
                     for path in folder.glob("*.py")
                     if path.stem not in ("__init__", "__main__", *named))
    assert missing == [], f"docs/architecture.md's tree does not name {missing}"
