"""programmes and learner records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:25:56.084390
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("learner_email", sa.String(length=320), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "learner_email", "model_id"),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="achievement", nullable=False)
        )

    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_level", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("programme_level")

    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("kind")

    op.drop_table("programme_awards")
