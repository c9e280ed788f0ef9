"""wallet offers, and credentials bound to a holder's wallet

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("holder_id", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("hidden", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index("ix_credentials_source_id", ["source_id"])
    op.create_table(
        "wallet_offers",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("credential_id", sa.String(length=36), sa.ForeignKey("credentials.id"),
                  nullable=False, index=True),
        sa.Column("learner_email", sa.String(length=320), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("pre_authorized_code_hash", sa.String(length=64), nullable=False,
                  unique=True),
        sa.Column("pre_authorized_code_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("protocol", sa.String(length=16), nullable=True),
        sa.Column("bound_credential_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("wallet_offers")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_credentials_source_id")
        batch_op.drop_column("hidden")
        batch_op.drop_column("holder_id")
        batch_op.drop_column("source_id")
