"""The local durable transport: exchanges, queues, bindings and messages in the gateway's database.

Revision ID: 0302
Revises: 0301
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0302"
down_revision = "0301"
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "transport_exchanges",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_transport_exchanges"),
    )
    op.create_table(
        "transport_queues",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("dead_letter_queue", sa.String(255), nullable=True),
        sa.Column("delivery_limit", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_transport_queues"),
    )
    op.create_table(
        "transport_bindings",
        sa.Column("exchange", sa.String(255), nullable=False),
        sa.Column("queue", sa.String(255), nullable=False),
        sa.Column("binding_key", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("exchange", "queue", "binding_key", name="pk_transport_bindings"),
    )
    op.create_table(
        "transport_messages",
        sa.Column("id", _Id, autoincrement=True, nullable=False),
        sa.Column("queue", sa.String(255), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("exchange", sa.String(255), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("published_at", sa.Float(), nullable=False),
        sa.Column("available_at", sa.Float(), nullable=False),
        sa.Column("delivery_count", sa.Integer(), nullable=False),
        sa.Column("lease_token", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_transport_messages"),
    )
    op.create_index("ix_transport_messages_queue_id", "transport_messages", ["queue", "id"])


def downgrade() -> None:
    op.drop_index("ix_transport_messages_queue_id", table_name="transport_messages")
    op.drop_table("transport_messages")
    op.drop_table("transport_bindings")
    op.drop_table("transport_queues")
    op.drop_table("transport_exchanges")
