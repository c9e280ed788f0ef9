"""presentation requests and their answers; how long an issuer keeps answers

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_retention_days", sa.Integer(), nullable=False,
                                      server_default="90"))
    op.create_table(
        "presentation_requests",
        sa.Column("id", sa.String(length=43), primary_key=True),
        sa.Column("issuer_id", sa.Integer(), sa.ForeignKey("issuers.id"), nullable=False,
                  index=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("competencies", sa.JSON(), nullable=False),
        sa.Column("accepted_issuers", sa.JSON(), nullable=True),
        sa.Column("did_auth", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "presentation_answers",
        sa.Column("id", sa.String(length=43), primary_key=True),
        sa.Column("request_id", sa.String(length=43),
                  sa.ForeignKey("presentation_requests.id"), nullable=False, index=True),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False, unique=True),
        sa.Column("state", sa.String(length=64), nullable=True, unique=True),
        sa.Column("client_id", sa.String(length=600), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.Column("holder", sa.String(length=500), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("presentation_answers")
    op.drop_table("presentation_requests")
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("answer_retention_days")
