"""The CASE 1.1 documents the service publishes: a package per model edition (the current one,
adopted, and each older one a credential we issued cites, deprecated) and per level framework
version those use, indexed by the identifiers the CASE REST paths take.

Which older editions credentials cite is read from the credentials themselves (their
achievement ids name the edition; a programme certificate names its edition's CFDocument), once
per catalog: an edition no longer current is never issued under again, so the set is settled
when the catalog changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from credentials.case import ModelIds, framework_license, framework_package, model_package
from credentials.frameworks import Catalog, Crosswalk, LevelFramework
from issuer.services.catalog import catalog
from issuer.services.errors import NotFound
from issuer.store.models import Credential


@dataclass
class CaseIndex:
    """Every CASE object of the catalog, by identifier."""

    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)
    rubrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    licenses: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, package: dict[str, Any]) -> None:
        self.packages[package["CFDocument"]["identifier"]] = package
        self.items.update((item["identifier"], item) for item in package["CFItems"])
        self.associations.update((a["identifier"], a) for a in package["CFAssociations"])
        self.rubrics.update((r["identifier"], r) for r in package["CFRubrics"])


_cache: dict[str, tuple[Catalog, CaseIndex]] = {}  # base URL -> (catalog, its index)


def _cited(db: Session, crosswalk: Crosswalk, base_url: str) -> bool:
    """Whether any credential we issued cites this (older) edition."""
    model, edition = crosswalk.model.id, crosswalk.edition
    document = ModelIds(base_url, crosswalk).document
    found = db.scalar(select(Credential.id).where(or_(
        Credential.document.like(f'%/achievements/{model}/%/{edition}"%'),
        Credential.document.like(f"%{document}%"))).limit(1))
    return found is not None


def _index(db: Session, data: Catalog, base_url: str) -> CaseIndex:
    cached = _cache.get(base_url)
    if cached is None or cached[0] is not data:
        index = CaseIndex()
        current = {c.edition for c in data.crosswalks.values()}
        older = [c for (_m, e), c in data.editions.items()
                 if e not in current and _cited(db, c, base_url)]
        frameworks: dict[tuple[str, str], tuple[LevelFramework, bool]] = {
            (f.id, f.version): (f, True) for f in data.frameworks.values()}
        for crosswalk in [*data.crosswalks.values(), *older]:
            frameworks.setdefault((crosswalk.framework.id, crosswalk.framework.version),
                                  (crosswalk.framework, False))
            index.add(model_package(crosswalk, base_url, crosswalk.edition in current))
        for framework, adopted in frameworks.values():
            index.add(framework_package(framework, base_url, adopted))
            licence = framework_license(framework, base_url)
            index.licenses[licence["identifier"]] = licence
        _cache[base_url] = (data, index)
    return _cache[base_url][1]


def _found(found: dict[str, Any] | None, kind: str, identifier: str) -> dict[str, Any]:
    if found is None:
        raise NotFound(f"no {kind} {identifier!r}")
    return found


def documents(db: Session, base_url: str) -> list[dict[str, Any]]:
    """Every CFDocument: the adopted ones and the deprecated ones credentials cite."""
    return [p["CFDocument"] for p in _index(db, catalog(db), base_url).packages.values()]


def package(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(db, catalog(db), base_url).packages.get(identifier), "CFPackage",
                  identifier)


def document(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return package(db, base_url, identifier)["CFDocument"]


def item(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(db, catalog(db), base_url).items.get(identifier), "CFItem", identifier)


def association(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(db, catalog(db), base_url).associations.get(identifier), "CFAssociation",
                  identifier)


def cf_license(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(db, catalog(db), base_url).licenses.get(identifier), "CFLicense",
                  identifier)


def rubric(db: Session, base_url: str, identifier: str) -> dict[str, Any]:
    return _found(_index(db, catalog(db), base_url).rubrics.get(identifier), "CFRubric", identifier)
