"""keys per algorithm: kid, public JWK, retirement and revocation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

from keys.ed25519 import Ed25519VerificationKey

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kid", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("public_jwk", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("public_multikey", existing_type=sa.String(length=128),
                              nullable=True)
    keys = sa.table("signing_keys", sa.column("id", sa.Integer),
                    sa.column("public_multikey", sa.String), sa.column("kid", sa.String),
                    sa.column("public_jwk", sa.JSON))
    connection = op.get_bind()
    for key_id, multikey in connection.execute(sa.select(keys.c.id, keys.c.public_multikey)):
        jwk = Ed25519VerificationKey.from_multikey(multikey).jwk()
        connection.execute(sa.update(keys).where(keys.c.id == key_id)
                           .values(kid=multikey, public_jwk=json.loads(json.dumps(jwk))))
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.alter_column("kid", existing_type=sa.String(length=128), nullable=False)
        batch_op.alter_column("public_jwk", existing_type=sa.JSON(), nullable=False)
        batch_op.create_unique_constraint("uq_signing_keys_issuer_id_kid", ["issuer_id", "kid"])


def downgrade() -> None:
    # public_multikey stays nullable: P-256 and RSA keys have none, and credentials they
    # signed still refer to them.
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_constraint("uq_signing_keys_issuer_id_kid", type_="unique")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("public_jwk")
        batch_op.drop_column("kid")
