"""The CASE 1.1 documents the service publishes: a package per model edition (the current one
and each older one credentials still cite) and per level framework version, indexed by the
identifiers the CASE REST paths take."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from credentials.case import framework_package, model_package
from credentials.frameworks import Catalog, LevelFramework
from issuer.services.catalog import catalog
from issuer.services.errors import NotFound


@dataclass
class CaseIndex:
    """Every CASE object of the catalog, by identifier."""

    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)
    rubrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, package: dict[str, Any]) -> None:
        self.packages[package["CFDocument"]["identifier"]] = package
        self.items.update((item["identifier"], item) for item in package["CFItems"])
        self.associations.update((a["identifier"], a) for a in package["CFAssociations"])
        self.rubrics.update((r["identifier"], r) for r in package["CFRubrics"])


_cache: dict[str, tuple[Catalog, CaseIndex]] = {}  # base URL -> (catalog, its index)


def _index(data: Catalog, base_url: str) -> CaseIndex:
    cached = _cache.get(base_url)
    if cached is None or cached[0] is not data:
        index = CaseIndex()
        crosswalks = [*data.crosswalks.values(), *data.editions.values()]
        frameworks: dict[tuple[str, str], LevelFramework] = {
            (f.id, f.version): f for f in data.frameworks.values()}
        for crosswalk in crosswalks:
            frameworks.setdefault((crosswalk.framework.id, crosswalk.framework.version),
                                  crosswalk.framework)
            index.add(model_package(crosswalk, base_url))
        for framework in frameworks.values():
            index.add(framework_package(framework, base_url))
        _cache[base_url] = (data, index)
    return _cache[base_url][1]


def _found(found: dict[str, Any] | None, kind: str, identifier: str) -> dict[str, Any]:
    if found is None:
        raise NotFound(f"no {kind} {identifier!r}")
    return found


def documents(db: Session, base_url: str) -> list[dict[str, Any]]:
    """Every CFDocument, current and older versions alike."""
    return [p["CFDocument"] for p in _index(catalog(db), base_url).packages.values()]


def package(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(catalog(db), base_url).packages.get(identifier), "CFPackage",
                  identifier)


def document(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return package(db, base_url, identifier)["CFDocument"]


def item(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(catalog(db), base_url).items.get(identifier), "CFItem", identifier)


def association(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(catalog(db), base_url).associations.get(identifier), "CFAssociation",
                  identifier)


def rubric(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(catalog(db), base_url).rubrics.get(identifier), "CFRubric", identifier)
