"""Client credentials: clients, API key hashes, public keys, seen assertion ids.

Revision ID: 0401
Revises: 0302
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0401"
down_revision = "0302"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_clients",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("supplier_id", sa.String(128), nullable=False),
        sa.Column("la_codes", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name="pk_security_clients"),
    )
    op.create_table(
        "security_api_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["security_clients.client_id"], name="fk_security_api_keys_client_id_security_clients"
        ),
        sa.PrimaryKeyConstraint("key_id", name="pk_security_api_keys"),
    )
    op.create_index("ix_security_api_keys_client_id", "security_api_keys", ["client_id"])
    op.create_table(
        "security_public_keys",
        sa.Column("kid", sa.String(128), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["security_clients.client_id"], name="fk_security_public_keys_client_id_security_clients"
        ),
        sa.PrimaryKeyConstraint("kid", name="pk_security_public_keys"),
    )
    op.create_index("ix_security_public_keys_client_id", "security_public_keys", ["client_id"])
    op.create_table(
        "security_seen_assertions",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("jti", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "jti", name="pk_security_seen_assertions"),
    )
    op.create_index("ix_security_seen_assertions_expires_at", "security_seen_assertions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("security_seen_assertions")
    op.drop_table("security_public_keys")
    op.drop_table("security_api_keys")
    op.drop_table("security_clients")
