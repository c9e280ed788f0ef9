"""Migration 0012 keeps the frameworks a store already holds: each becomes its own first
version, current, imported by the operator; and going back keeps the current ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from credentials.frameworks.loader import DATA
from issuer.store import make_engine
from issuer.store.migrate import downgrade, upgrade
from tests.service.test_migrations import empty_store

FILES = {("model", "mn-dli-psychiatric-mental-health-technician-inpatient"):
         "mn-dli-psychiatric-mental-health-technician-inpatient.json",
         ("framework", "onet-29-2053.00-psychiatric-technicians"):
         "onet-29-2053.00-psychiatric-technicians.lerme.json",
         ("crosswalk", "mn-dli-pmht-inpatient-to-onet-29-2053.00"):
         "crosswalk-mn-dli-pmht-inpatient-onet-29-2053.00.json"}


def test_stored_frameworks_become_current_first_versions(tmp_path: Path) -> None:
    with empty_store(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0007")
        with engine.begin() as db:
            for (kind, doc_id), file in FILES.items():
                db.execute(text(
                    "INSERT INTO framework_documents (kind, id, source, document, sha256, "
                    "loaded_at) VALUES (:kind, :id, :source, :document, :sha, :at)"),
                    {"kind": kind, "id": doc_id, "source": file,
                     "document": (DATA / file).read_text(), "sha": "0" * 64,
                     "at": datetime(2026, 11, 1, tzinfo=UTC)})
        upgrade(engine, "0012")
        with engine.connect() as db:
            rows = db.execute(text("SELECT kind, id, version, is_current, imported_by, "
                                   "document FROM framework_documents")).all()
        versions = {(kind, doc_id): (version, current, importer)
                    for kind, doc_id, version, current, importer, _doc in rows}
        assert versions == {
            ("model", "mn-dli-psychiatric-mental-health-technician-inpatient"):
                ("2025-10", True, None),
            ("framework", "onet-29-2053.00-psychiatric-technicians"): ("v.26.05", True, None),
            ("crosswalk", "mn-dli-pmht-inpatient-to-onet-29-2053.00"): ("1", True, None)}
        document = next(d for kind, *_rest, d in rows if kind == "framework")
        document = json.loads(document) if isinstance(document, str) else document
        assert document["attribution"] == "© EBSCOed"
        downgrade(engine, "0007")
        with engine.connect() as db:
            assert db.execute(text("SELECT count(*) FROM framework_documents")).scalar() == 3
        engine.dispose()
