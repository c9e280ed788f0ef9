"""staff members who sign in as people: emailed single-use links, per-issuer OpenID Connect,
desk sessions and audit events that name the person, and the issuer's profile and logo

Revision ID: 0008
Revises: 0011
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer_id", sa.Integer(), sa.ForeignKey("issuers.id"), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("issuer_id", "email"),
    )
    op.create_index("ix_staff_members_email", "staff_members", ["email"])
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_members.id"), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("link_hash"),
    )
    op.create_index("ix_sign_in_links_staff_id", "sign_in_links", ["staff_id"])
    op.create_table(
        "oidc_providers",
        sa.Column("issuer_id", sa.Integer(), sa.ForeignKey("issuers.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("discovery_url", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("email_domains", sa.JSON(), nullable=False),
        sa.Column("email_claim", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "issuer_logos",
        sa.Column("issuer_id", sa.Integer(), sa.ForeignKey("issuers.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
    with op.batch_alter_table("desk_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_desk_sessions_staff_id", "staff_members",
                                    ["staff_id"], ["id"])
        batch_op.create_index("ix_desk_sessions_staff_id", ["staff_id"])
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_audit_events_staff_id", "staff_members",
                                    ["staff_id"], ["id"])
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.alter_column("verified_by_token_id", existing_type=sa.Integer(),
                              nullable=True)
        batch_op.add_column(sa.Column("verified_by_staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_completions_verified_by_staff_id", "staff_members",
                                    ["verified_by_staff_id"], ["id"])
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_import_jobs_staff_id", "staff_members",
                                    ["staff_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_import_jobs_staff_id", type_="foreignkey")
        batch_op.drop_column("staff_id")
    # verified_by_token_id stays nullable: completions people recorded keep their
    # credentials, and a looser column harms nothing the older code does.
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_completions_verified_by_staff_id", type_="foreignkey")
        batch_op.drop_column("verified_by_staff_id")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_events_staff_id", type_="foreignkey")
        batch_op.drop_column("staff_id")
    op.execute("DELETE FROM desk_sessions WHERE token_id IS NULL")  # people's sessions end
    with op.batch_alter_table("desk_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_desk_sessions_staff_id")
        batch_op.drop_constraint("fk_desk_sessions_staff_id", type_="foreignkey")
        batch_op.drop_column("staff_id")
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("description")
    op.drop_table("issuer_logos")
    op.drop_table("oidc_providers")
    op.drop_index("ix_sign_in_links_staff_id", table_name="sign_in_links")
    op.drop_table("sign_in_links")
    op.drop_index("ix_staff_members_email", table_name="staff_members")
    op.drop_table("staff_members")
