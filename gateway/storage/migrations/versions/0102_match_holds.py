"""Duplicate matching in the pipeline: where a record held for review was sent, so it can be released.

Revision ID: 0102
Revises: 0401
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0102"
down_revision = "0401"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("match_identities", sa.Column("held_message_id", sa.String(128), nullable=True))
    op.add_column("match_identities", sa.Column("held_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE .. DROP COLUMN (SQLite >= 3.35): a batch copy of the table would have to drop it,
    # which the other match tables' foreign keys refuse.
    op.drop_column("match_identities", "held_position")
    op.drop_column("match_identities", "held_message_id")
