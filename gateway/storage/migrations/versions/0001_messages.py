"""Message store: every received message with its raw payload and outcome.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("supplier_id", sa.String(128), nullable=False),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("format_id", sa.String(64), nullable=True),
        sa.Column("format_version", sa.String(32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("canonical", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_messages"),
    )
    op.create_index("ix_messages_supplier_id_received_at", "messages", ["supplier_id", "received_at"])
    op.create_index("ix_messages_status", "messages", ["status"])
    op.create_table(
        "message_files",
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.message_id"], name="fk_message_files_message_id_messages", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("message_id", "position", name="pk_message_files"),
    )


def downgrade() -> None:
    op.drop_table("message_files")
    op.drop_index("ix_messages_status", table_name="messages")
    op.drop_index("ix_messages_supplier_id_received_at", table_name="messages")
    op.drop_table("messages")
