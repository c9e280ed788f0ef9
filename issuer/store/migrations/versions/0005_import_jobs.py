"""import jobs: batches of completions issued row by row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("issuer_id", sa.Integer(), sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_tokens.id"), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuer_id", "idempotency_key"),
    )
    op.create_index("ix_import_jobs_issuer_id", "import_jobs", ["issuer_id"])
    op.create_table(
        "import_rows",
        sa.Column("job_id", sa.String(length=36), sa.ForeignKey("import_jobs.id"),
                  primary_key=True),
        sa.Column("row", sa.Integer(), primary_key=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_import_rows_state", "import_rows", ["state"])


def downgrade() -> None:
    op.drop_index("ix_import_rows_state", table_name="import_rows")
    op.drop_table("import_rows")
    op.drop_index("ix_import_jobs_issuer_id", table_name="import_jobs")
    op.drop_table("import_jobs")
