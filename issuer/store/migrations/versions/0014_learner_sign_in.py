"""learners sign in by emailed link to see their own credentials: sign-in links and sessions
(only SHA-256 digests of their secrets), each learner's opt-in public list, and the service's
own platform issuer (the identity that signs a learner's own CLR)

Revision ID: 0014
Revises: 0016
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_sign_in_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("landing", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("link_hash"),
    )
    op.create_index("ix_learner_sign_in_links_email", "learner_sign_in_links", ["email"])
    op.create_table(
        "learner_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("session_hash"),
    )
    op.create_index("ix_learner_sessions_email", "learner_sessions", ["email"])
    op.create_table(
        "learner_profiles",
        sa.Column("email", sa.String(length=320), primary_key=True),
        sa.Column("public_handle", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("public_handle"),
    )
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_platform", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("is_platform")
    op.drop_table("learner_profiles")
    op.drop_index("ix_learner_sessions_email", table_name="learner_sessions")
    op.drop_table("learner_sessions")
    op.drop_index("ix_learner_sign_in_links_email", table_name="learner_sign_in_links")
    op.drop_table("learner_sign_in_links")
