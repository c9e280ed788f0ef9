"""OpenID4VCI: access tokens, c_nonces and wrong transaction codes

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oid4vci_access_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("offer_id", sa.String(length=64), sa.ForeignKey("wallet_offers.id"),
                  nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "oid4vci_nonces",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "oid4vci_tx_code_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("offer_id", sa.String(length=64), sa.ForeignKey("wallet_offers.id"),
                  nullable=False, index=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("oid4vci_tx_code_failures")
    op.drop_table("oid4vci_nonces")
    op.drop_table("oid4vci_access_tokens")
