"""HTTP submissions: the client that sent each message over HTTP and its status history (issue 8).

Revision ID: 0402
Revises: 0204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0402"
down_revision = "0204"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "http_submissions",
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("asynchronous", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_http_submissions"),
    )
    op.create_index("ix_http_submissions_client_id", "http_submissions", ["client_id", "created_at"])
    op.create_table(
        "http_submission_states",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_http_submission_states"),
    )
    op.create_index("ix_http_submission_states_message_id", "http_submission_states", ["message_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_http_submission_states_message_id", table_name="http_submission_states")
    op.drop_table("http_submission_states")
    op.drop_index("ix_http_submissions_client_id", table_name="http_submissions")
    op.drop_table("http_submissions")
