"""CAF store: versioned CAF forms and the consents that allow sharing them.

Revision ID: 0203
Revises: 0202
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0203"
down_revision = "0202"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caf_inbox",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_caf_inbox"),
    )
    op.create_table(
        "caf_versions",
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name="pk_caf_versions"),
    )
    op.create_table(
        "caf_assessments",
        sa.Column("caf_id", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("child_id", sa.String(128), nullable=True),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assessor_org_code", sa.String(32), nullable=True),
        sa.Column("lead_professional_id", sa.String(128), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caf_id", "version", name="pk_caf_assessments"),
    )
    op.create_index("ix_caf_assessments_child_id", "caf_assessments", ["child_id"])
    op.create_table(
        "caf_consents",
        sa.Column("caf_id", sa.String(128), nullable=False),
        sa.Column("consent_id", sa.String(128), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("caf_id", "consent_id", name="pk_caf_consents"),
    )


def downgrade() -> None:
    op.drop_table("caf_consents")
    op.drop_index("ix_caf_assessments_child_id", table_name="caf_assessments")
    op.drop_table("caf_assessments")
    op.drop_table("caf_versions")
    op.drop_table("caf_inbox")
