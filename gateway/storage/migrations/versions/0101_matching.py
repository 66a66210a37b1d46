"""Duplicate matching: identities, blocking keys, review queue, remembered non-matches, decisions.

Revision ID: 0101
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_identities",
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("identity", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_match_identities"),
    )
    op.create_index("ix_match_identities_child_id", "match_identities", ["child_id"])
    op.create_index("ix_match_identities_status", "match_identities", ["status"])
    op.create_table(
        "match_blocking_keys",
        sa.Column("block_key", sa.String(200), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["match_identities.record_id"],
            name="fk_match_blocking_keys_record_id_match_identities",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("block_key", "record_id", name="pk_match_blocking_keys"),
    )
    op.create_index("ix_match_blocking_keys_record_id", "match_blocking_keys", ["record_id"])
    op.create_table(
        "match_reviews",
        sa.Column("review_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("candidate_id", sa.String(128), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("comparison", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["match_identities.record_id"], name="fk_match_reviews_record_id_match_identities"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["match_identities.record_id"], name="fk_match_reviews_candidate_id_match_identities"
        ),
        sa.PrimaryKeyConstraint("review_id", name="pk_match_reviews"),
        sa.UniqueConstraint("record_id", "candidate_id", name="uq_match_reviews_record_id_candidate_id"),
    )
    op.create_index("ix_match_reviews_status", "match_reviews", ["status"])
    op.create_table(
        "match_decisions",
        sa.Column("decision_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("other_id", sa.String(128), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("child_id_before", sa.String(64), nullable=True),
        sa.Column("child_id_after", sa.String(64), nullable=True),
        sa.Column("reverses", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name="pk_match_decisions"),
    )
    op.create_index("ix_match_decisions_record_id", "match_decisions", ["record_id"])
    op.create_table(
        "match_non_matches",
        sa.Column("record_a", sa.String(128), nullable=False),
        sa.Column("record_b", sa.String(128), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["match_decisions.decision_id"], name="fk_match_non_matches_decision_id_match_decisions"
        ),
        sa.PrimaryKeyConstraint("record_a", "record_b", name="pk_match_non_matches"),
    )


def downgrade() -> None:
    op.drop_table("match_non_matches")
    op.drop_index("ix_match_decisions_record_id", table_name="match_decisions")
    op.drop_table("match_decisions")
    op.drop_index("ix_match_reviews_status", table_name="match_reviews")
    op.drop_table("match_reviews")
    op.drop_index("ix_match_blocking_keys_record_id", table_name="match_blocking_keys")
    op.drop_table("match_blocking_keys")
    op.drop_index("ix_match_identities_status", table_name="match_identities")
    op.drop_index("ix_match_identities_child_id", table_name="match_identities")
    op.drop_table("match_identities")
