"""Duplicate review: each supplier record's own view of a child in the directory, merged into one entry; indexes
for reading reviews and remembered non-matches by either record (the match index's batch reads and purges).

Revision ID: 0103
Revises: 0102
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0103"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_views",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("la_code", sa.String(3), nullable=True),
        sa.Column("view", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("child_id", "source", name="pk_directory_views"),
    )
    op.create_index("ix_match_reviews_candidate_id", "match_reviews", ["candidate_id"])
    op.create_index("ix_match_non_matches_record_b", "match_non_matches", ["record_b"])


def downgrade() -> None:
    op.drop_index("ix_match_non_matches_record_b", table_name="match_non_matches")
    op.drop_index("ix_match_reviews_candidate_id", table_name="match_reviews")
    op.drop_table("directory_views")
