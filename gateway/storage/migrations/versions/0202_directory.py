"""Directory: the ContactPoint data set (identity, contacts, involvements) and nothing more.

Revision ID: 0202
Revises: 0201
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0202"
down_revision = "0201"
branch_labels = None
depends_on = None


def _child_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["child_id"],
        ["directory_children.child_id"],
        name=f"fk_{table}_child_id_directory_children",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "directory_inbox",
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_directory_inbox"),
    )
    op.create_table(
        "directory_versions",
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subject", name="pk_directory_versions"),
    )
    op.create_table(
        "directory_children",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("nhs_number", sa.String(16), nullable=True),
        sa.Column("upn", sa.String(16), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("address", sa.JSON(), nullable=True),
        sa.Column("address_status", sa.String(20), nullable=False),
        sa.Column("postcode_key", sa.String(10), nullable=True),
        sa.Column("shielded", sa.Boolean(), nullable=False),
        sa.Column("education_setting", sa.JSON(), nullable=True),
        sa.Column("gp_practice", sa.JSON(), nullable=True),
        sa.Column("caf_indicator", sa.JSON(), nullable=True),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("child_id", name="pk_directory_children"),
    )
    for column in ("nhs_number", "upn", "birth_date", "postcode_key", "retain_until"):
        op.create_index(f"ix_directory_children_{column}", "directory_children", [column])
    op.create_table(
        "directory_local_ids",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("la_child_id", sa.String(32), nullable=False),
        _child_fk("directory_local_ids"),
        sa.PrimaryKeyConstraint("child_id", "la_code", "la_child_id", name="pk_directory_local_ids"),
    )
    op.create_index("ix_directory_local_ids_la_code_la_child_id", "directory_local_ids", ["la_code", "la_child_id"])
    op.create_table(
        "directory_name_keys",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(128), nullable=False),
        _child_fk("directory_name_keys"),
        sa.PrimaryKeyConstraint("key", "child_id", name="pk_directory_name_keys"),
    )
    op.create_index("ix_directory_name_keys_child_id", "directory_name_keys", ["child_id"])
    op.create_table(
        "directory_carers",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("carer_id", sa.String(128), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("relationship", sa.Text(), nullable=True),
        sa.Column("parental_responsibility", sa.Boolean(), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("address", sa.JSON(), nullable=True),
        _child_fk("directory_carers"),
        sa.PrimaryKeyConstraint("child_id", "position", name="pk_directory_carers"),
    )
    op.create_table(
        "directory_involvements",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("involvement_id", sa.String(160), nullable=False),
        sa.Column("recorded_by", sa.String(16), nullable=False),
        sa.Column("service_type", sa.Text(), nullable=False),
        sa.Column("organisation", sa.JSON(), nullable=True),
        sa.Column("organisation_code", sa.String(32), nullable=True),
        sa.Column("practitioner", sa.JSON(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("lead_professional", sa.Boolean(), nullable=False),
        sa.Column("sensitive_category", sa.String(32), nullable=True),
        sa.Column("shared_on", sa.String(16), nullable=True),
        sa.CheckConstraint(
            "sensitive_category IS NULL OR COALESCE(shared_on, '') IN ('consent', 'safeguarding')",
            name="sensitive_needs_basis",
        ),
        _child_fk("directory_involvements"),
        sa.PrimaryKeyConstraint("child_id", "involvement_id", name="pk_directory_involvements"),
    )
    op.create_table(
        "directory_withheld",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _child_fk("directory_withheld"),
        sa.PrimaryKeyConstraint("child_id", name="pk_directory_withheld"),
    )


def downgrade() -> None:
    for table in ("directory_withheld", "directory_involvements", "directory_carers"):
        op.drop_table(table)
    op.drop_index("ix_directory_name_keys_child_id", table_name="directory_name_keys")
    op.drop_table("directory_name_keys")
    op.drop_index("ix_directory_local_ids_la_code_la_child_id", table_name="directory_local_ids")
    op.drop_table("directory_local_ids")
    for column in ("nhs_number", "upn", "birth_date", "postcode_key", "retain_until"):
        op.drop_index(f"ix_directory_children_{column}", table_name="directory_children")
    op.drop_table("directory_children")
    op.drop_table("directory_versions")
    op.drop_table("directory_inbox")
