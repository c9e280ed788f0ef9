"""The competency data in the store: loaded by ``init``, read back as one Catalog."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.frameworks import Catalog
from credentials.frameworks.loader import (
    CatalogDocuments,
    build_catalog,
    read_catalog_documents,
)
from issuer.store.models import FrameworkDocument

_cache: dict[str, Catalog] = {}


def _digest(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def load_bundled_frameworks(db: Session) -> list[str]:
    """Store (or refresh) the bundled models, frameworks and crosswalks; idempotent.

    The documents are validated and linked before anything is written.
    """
    documents = read_catalog_documents()
    build_catalog(documents)
    rows = ([("model", d["id"], source, d) for source, d in documents.models]
            + [("framework", fid, source, d) for source, fid, d in documents.frameworks]
            + [("crosswalk", d["id"], source, d) for source, d in documents.crosswalks])
    changed = []
    with db.begin():
        for kind, doc_id, source, document in rows:
            digest = _digest(document)
            row = db.get(FrameworkDocument, (kind, doc_id))
            if row is None:
                db.add(FrameworkDocument(kind=kind, id=doc_id, source=source,
                                         document=document, sha256=digest))
                changed.append(f"{kind}:{doc_id}")
            elif row.sha256 != digest:
                row.document, row.sha256, row.source = document, digest, source
                changed.append(f"{kind}:{doc_id}")
    return changed


def catalog(db: Session) -> Catalog:
    """The catalog the store holds, built once per process per content version."""
    rows = db.scalars(select(FrameworkDocument).order_by(FrameworkDocument.kind,
                                                         FrameworkDocument.id)).all()
    fingerprint = hashlib.sha256("".join(r.sha256 for r in rows).encode()).hexdigest()
    if fingerprint not in _cache:
        by_kind: dict[str, list[FrameworkDocument]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        _cache.clear()
        _cache[fingerprint] = build_catalog(CatalogDocuments(
            models=[(r.source, r.document) for r in by_kind.get("model", [])],
            frameworks=[(r.source, r.id, r.document) for r in by_kind.get("framework", [])],
            crosswalks=[(r.source, r.document) for r in by_kind.get("crosswalk", [])],
        ))
    return _cache[fingerprint]
