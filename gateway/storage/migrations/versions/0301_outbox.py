"""Routing: the outbox, per-subject versions and collected dead letters.

Revision ID: 0301
Revises: 0203
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0301"
down_revision = "0203"
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("outbox_id", _Id, autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("exchange", sa.String(255), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("outbox_id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_message_id", "outbox", ["message_id"])
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["outbox_id"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "subject_versions",
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name="pk_subject_versions"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("dead_letter_id", _Id, autoincrement=True, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(255), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=True),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=True),
        sa.Column("exchange", sa.String(255), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dead_letter_id", name="pk_dead_letters"),
        sa.UniqueConstraint("fingerprint", name="uq_dead_letters_fingerprint"),
    )
    op.create_index("ix_dead_letters_message_id", "dead_letters", ["message_id"])
    op.create_index("ix_dead_letters_queue", "dead_letters", ["queue"])


def downgrade() -> None:
    op.drop_index("ix_dead_letters_queue", table_name="dead_letters")
    op.drop_index("ix_dead_letters_message_id", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_table("subject_versions")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_index("ix_outbox_message_id", table_name="outbox")
    op.drop_table("outbox")
