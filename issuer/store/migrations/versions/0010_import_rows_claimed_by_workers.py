"""import rows claimed by task-queue workers: the job lease goes, rows are found by state

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Workers claim a job's next pending row in order: one index seek, not a scan of the rows
    # already issued.
    op.create_index("ix_import_rows_job_state_row", "import_rows", ["job_id", "state", "row"])
    with op.batch_alter_table("import_jobs") as table:
        table.drop_column("lease_until")
        table.drop_column("lease_owner")


def downgrade() -> None:
    with op.batch_alter_table("import_jobs") as table:
        table.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_import_rows_job_state_row", table_name="import_rows")
