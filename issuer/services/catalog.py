"""The competency data in the store: every version of every model, level framework and
crosswalk, loaded by ``init`` (the bundled files) or imported (CLI and admin API), read back as
one Catalog.

A version, once stored, is never rewritten by an import: a new version becomes the one new
completions use, and the older ones stay, so credentials issued under them keep their
achievement pages and CASE documents. An import is checked whole (every file against its
schema, every reference resolved, every current model still linked to a framework) before
anything is written, and a file imported again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.frameworks import Catalog, FrameworkDataError
from credentials.frameworks.imports import ImportedDocument, read_json_document
from credentials.frameworks.loader import (
    CatalogDocuments,
    build_catalog,
    build_lerme_framework,
    build_model,
    gathered,
    link_crosswalk,
    read_catalog_documents,
)
from issuer.services import audit
from issuer.services.callers import Caller
from issuer.services.errors import Forbidden, Invalid
from issuer.services.field_text import bad_character
from issuer.services.issuers import get_issuer
from issuer.store import transaction_lock
from issuer.store.models import FrameworkDocument

_cache: dict[str, Catalog] = {}
KIND_ORDER = {"framework": 0, "model": 1, "crosswalk": 2}


def _digest(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@dataclass
class _Version:
    """A stored version, or one an import would store."""

    kind: str
    id: str
    version: str
    source: str
    document: Any
    sha256: str
    loaded_at: datetime
    is_current: bool
    imported_by: int | None

    @classmethod
    def of(cls, row: FrameworkDocument) -> _Version:
        return cls(row.kind, row.id, row.version, row.source, row.document, row.sha256,
                   row.loaded_at, row.is_current, row.imported_by)


@dataclass(frozen=True)
class Change:
    """What an import did (or, in a dry run, would do) with one file."""

    kind: str
    id: str
    version: str
    source: str
    action: str  # added, new-version, unchanged, replaced (bundled data only)

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "version": self.version,
                "file": self.source, "action": self.action}


def _stored(db: Session) -> list[_Version]:
    rows = db.scalars(select(FrameworkDocument).order_by(
        FrameworkDocument.loaded_at, FrameworkDocument.kind, FrameworkDocument.id,
        FrameworkDocument.version)).all()
    return [_Version.of(row) for row in rows]


def _build(versions: Sequence[_Version]) -> Catalog:
    """The current catalog, with every older edition of each model that can still be linked."""
    current = [v for v in versions if v.is_current]
    catalog = build_catalog(CatalogDocuments(
        models=[(v.source, v.document) for v in current if v.kind == "model"],
        frameworks=[(v.source, v.id, v.document) for v in current if v.kind == "framework"],
        crosswalks=[(v.source, v.document) for v in current if v.kind == "crosswalk"],
    ))
    models = [build_model(v.document, v.source) for v in versions if v.kind == "model"]
    frameworks = [build_lerme_framework(v.document, v.id, v.source)
                  for v in versions if v.kind == "framework"]
    for crosswalk in (v for v in versions if v.kind == "crosswalk"):
        data = crosswalk.document
        for model in (m for m in models if m.id == data["model"]):
            for framework in (f for f in frameworks if f.id == data["framework"]):
                try:
                    linked = link_crosswalk(data, model, framework, crosswalk.source)
                except FrameworkDataError:
                    continue  # versions that were never meant to go together
                catalog.editions[(model.id, linked.edition)] = linked
    return catalog


def _check_linked(catalog: Catalog) -> None:
    """Every current model needs a crosswalk to a level framework: its levels come from it."""
    unlinked = [model.id for model in catalog.models.values()
                if not any(c.model.id == model.id for c in catalog.crosswalks.values())]
    if refusal := gathered(FrameworkDataError(model_id, "", "no crosswalk links this model to "
                                              "a level framework; import one with it")
                           for model_id in unlinked):
        raise refusal


ID_MAX, VERSION_MAX = 200, 100  # the store's columns


def _check_characters(doc: ImportedDocument) -> None:
    """Text the store and the signed credentials can keep: an id and version that fit their
    columns; no NUL or other control character (tabs and line breaks aside), no lone
    surrogate, in any value or member name."""
    for what, value, most in (("id", doc.id, ID_MAX), ("version", doc.version, VERSION_MAX)):
        if len(value) > most:
            raise _refusal(FrameworkDataError(
                doc.source, "", f"the {doc.kind}'s {what} is {len(value)} characters long; "
                f"at most {most}"))
    stack: list[tuple[str, Any]] = [("", doc.document)]
    while stack:
        pointer, value = stack.pop()
        texts = ([value] if isinstance(value, str)
                 else [str(k) for k in value] if isinstance(value, dict) else [])
        for text in texts:
            if reason := bad_character(text, prose=True):
                raise _refusal(FrameworkDataError(doc.source, pointer, reason))
        if isinstance(value, dict):
            stack.extend((f"{pointer}/{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(value))


def _refusal(error: FrameworkDataError, documents: Sequence[ImportedDocument] = ()
             ) -> Invalid:
    """Every mistake, each pointed at its file's line where the file was a CSV."""
    each = []
    for one in error.each:
        for doc in documents:
            one = doc.located(one)
        each.append(one)
    detail = (str(each[0]) if len(each) == 1
              else f"{len(each)} mistakes; the first: {each[0]}")
    return Invalid(detail, code="/problems/framework-data",
                   errors=[one.as_json() for one in each])


def import_documents(db: Session, documents: Sequence[ImportedDocument], *, importer: int | None,
                     dry_run: bool = False, replace_same_version: bool = False,
                     on_write: Callable[[list[Change]], None] | None = None) -> list[Change]:
    """Store the documents as new versions, all or none; return what changed per file.

    ``importer`` is the issuer whose admin imports (None: the operator). An issuer may add
    versions only to documents it imported first; the operator's (and the bundled data) are
    the operator's to change. ``replace_same_version`` lets the bundled data, shipped with
    the code, correct a version in place; an import must give a changed file a new version.
    ``on_write`` runs inside the transaction when something is written (the audit event).
    """
    with db.begin():
        # Two imports at once would each decide versions and owners from what they read
        # before the other wrote.
        transaction_lock(db, "framework-import")
        stored = _stored(db)
        state = {(v.kind, v.id, v.version): v for v in stored}
        now = datetime.now(UTC)
        changes: list[Change] = []
        for doc in sorted(documents, key=lambda d: KIND_ORDER[d.kind]):
            _check_characters(doc)
            key = (doc.kind, doc.id, doc.version)
            digest = _digest(doc.document)
            owners = {v.imported_by for v in state.values() if v.kind == doc.kind
                      and v.id == doc.id}
            if importer is not None and owners and owners != {importer}:
                raise Forbidden(f"{doc.source}: {doc.kind} {doc.id!r} was imported by the "
                                f"operator or another issuer; only they can add versions")
            if importer is not None and doc.kind == "crosswalk":
                _require_own_model(state, doc, importer)
            existing = state.get(key)
            if existing is not None and existing.sha256 == digest:
                changes.append(Change(*key, doc.source, "unchanged"))
                continue
            if existing is not None and not replace_same_version:
                raise _refusal(FrameworkDataError(
                    doc.source, "", f"{doc.kind} {doc.id!r} version {doc.version!r} is already "
                    "stored with other content; give the changed file a new version"))
            action = ("replaced" if existing is not None
                      else "new-version" if owners else "added")
            for other in state.values():
                if other.kind == doc.kind and other.id == doc.id:
                    other.is_current = False
            state[key] = _Version(*key, doc.source, doc.document, digest, now, True,
                                  existing.imported_by if existing else importer)
            changes.append(Change(*key, doc.source, action))
        try:
            _check_linked(_build(list(state.values())))
        except FrameworkDataError as error:
            raise _refusal(error, documents) from None
        if dry_run or all(c.action == "unchanged" for c in changes):
            return changes
        rows = {(r.kind, r.id, r.version): r for r in db.scalars(select(FrameworkDocument))}
        for key, version in state.items():
            row = rows.get(key)
            if row is None:
                db.add(FrameworkDocument(kind=version.kind, id=version.id,
                                         version=version.version, source=version.source,
                                         document=version.document, sha256=version.sha256,
                                         loaded_at=version.loaded_at,
                                         is_current=version.is_current,
                                         imported_by=version.imported_by))
            elif (row.sha256, row.is_current) != (version.sha256, version.is_current):
                row.document, row.sha256, row.source = (version.document, version.sha256,
                                                        version.source)
                row.is_current = version.is_current
                row.loaded_at = version.loaded_at
        if on_write is not None:
            on_write(changes)
    return changes


def _require_own_model(state: dict[tuple[str, str, str], _Version], doc: ImportedDocument,
                       importer: int) -> None:
    """Refuse (Forbidden) a crosswalk naming a model the importing issuer did not import: a
    model's levels come from its crosswalk, so anyone else's would change them for every
    issuer using that model (another framework may be borrowed; a model may not)."""
    model_id = doc.document.get("model") if isinstance(doc.document, dict) else None
    owners = {v.imported_by for v in state.values() if v.kind == "model" and v.id == model_id}
    if owners != {importer}:
        raise Forbidden(f"{doc.source}: crosswalk {doc.id!r} names model {model_id!r}, which "
                        "this issuer did not import; only the model's importer can give it "
                        "levels")


def import_for_issuer(db: Session, caller: Caller, slug: str,
                      documents: Sequence[ImportedDocument], dry_run: bool) -> list[Change]:
    """The admin API's import: an issuer's admin adds models, frameworks and crosswalks (and
    new versions of those the issuer imported); audited."""
    caller.require(slug, ("admin",))
    issuer = get_issuer(db, slug)
    db.commit()  # the issuer read above ends its transaction; the import runs in its own

    def audited(changes: list[Change]) -> None:
        audit.record(db, issuer, caller.token_id, "frameworks.import", slug,
                     {"changes": [c.as_json() for c in changes if c.action != "unchanged"]})

    return import_documents(db, documents, importer=issuer.id, dry_run=dry_run,
                            on_write=audited)


def load_bundled_frameworks(db: Session) -> list[str]:
    """Store (or refresh) the bundled models, frameworks and crosswalks; idempotent."""
    bundled = read_catalog_documents()
    try:
        documents = ([read_json_document(s, d) for s, d in bundled.models]
                     + [replace(read_json_document(s, d), id=fid)
                        for s, fid, d in bundled.frameworks]
                     + [read_json_document(s, d) for s, d in bundled.crosswalks])
    except FrameworkDataError as error:
        raise _refusal(error) from None
    changes = import_documents(db, documents, importer=None, replace_same_version=True)
    return [f"{c.kind}:{c.id}" for c in changes if c.action != "unchanged"]


@dataclass(frozen=True)
class StoredVersion:
    """One stored version, as ``frameworks list`` shows it."""

    kind: str
    id: str
    version: str
    source: str
    current: bool
    loaded_at: datetime
    imported_by: int | None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "version": self.version,
                "file": self.source, "current": self.current,
                "loadedAt": self.loaded_at.isoformat(), "importedBy": self.imported_by}


def stored_versions(db: Session) -> list[StoredVersion]:
    """Every stored version, oldest first."""
    with db.begin():
        return [StoredVersion(v.kind, v.id, v.version, v.source, v.is_current, v.loaded_at,
                              v.imported_by) for v in _stored(db)]


def catalog(db: Session) -> Catalog:
    """The catalog the store holds, built once per process per content version."""
    versions = _stored(db)
    fingerprint = hashlib.sha256("".join(
        f"{v.sha256}{v.is_current}" for v in versions).encode()).hexdigest()
    if fingerprint not in _cache:
        _cache.clear()
        _cache[fingerprint] = _build(versions)
    return _cache[fingerprint]
