"""framework documents keep every version: which one is current, and who imported it

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-27
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def _version(kind: str, document: dict) -> str:
    """The version a document states (the same rule the catalog applies on import)."""
    if kind == "model":
        return document["versionDate"]
    if kind == "framework":
        return document["framework"]["version"]
    return document.get("version", "1")


def _copy(source: str, target: str, with_versions: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        f"SELECT kind, id, source, document, sha256, loaded_at FROM {source}")).mappings().all()
    for row in rows:
        document = row["document"]
        if isinstance(document, str):
            document = json.loads(document)
        values = {"kind": row["kind"], "id": row["id"], "source": row["source"],
                  "document": json.dumps(document), "sha256": row["sha256"],
                  "loaded_at": row["loaded_at"]}
        if with_versions:
            bind.execute(sa.text(
                f"INSERT INTO {target} (kind, id, version, source, document, sha256, loaded_at, "
                "is_current) VALUES (:kind, :id, :version, :source, :document, :sha256, "
                ":loaded_at, :is_current)"),
                {**values, "version": _version(row["kind"], document), "is_current": True})
        else:
            bind.execute(sa.text(
                f"INSERT INTO {target} (kind, id, source, document, sha256, loaded_at) "
                "VALUES (:kind, :id, :source, :document, :sha256, :loaded_at)"), values)


def upgrade() -> None:
    op.create_table(
        "framework_versions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.Integer(), sa.ForeignKey("issuers.id"), nullable=True),
        sa.PrimaryKeyConstraint("kind", "id", "version"),
    )
    _copy("framework_documents", "framework_versions", with_versions=True)
    op.drop_table("framework_documents")
    op.rename_table("framework_versions", "framework_documents")


def downgrade() -> None:
    op.rename_table("framework_documents", "framework_versions")
    op.create_table(
        "framework_documents",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id"),
    )
    op.execute("DELETE FROM framework_versions WHERE NOT is_current")
    _copy("framework_versions", "framework_documents", with_versions=False)
    op.drop_table("framework_versions")
