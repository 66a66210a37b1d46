"""The directory's schema has room for the ContactPoint data set and nothing more; migrations match it."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gateway.storage import Database
from gateway.storage.tables import metadata

# Every column of every directory table. Adding one is a deliberate act: it must be in the data set.
DIRECTORY_COLUMNS = {
    "directory_inbox": {"event_id", "kind", "subject", "version", "outcome", "applied_at"},
    "directory_versions": {"subject", "version", "purged_at"},
    "directory_children": {
        "child_id", "la_code", "nhs_number", "upn", "names", "birth_date", "sex", "address", "address_status",
        "postcode_key", "shielded", "education_setting", "gp_practice", "caf_indicator", "retain_until",
        "archived_at", "updated_at",
    },
    "directory_local_ids": {"child_id", "la_code", "la_child_id"},
    "directory_name_keys": {"key", "child_id"},
    "directory_carers": {
        "child_id", "position", "carer_id", "names", "relationship", "parental_responsibility", "contacts", "address",
    },
    "directory_involvements": {
        "child_id", "involvement_id", "recorded_by", "service_type", "organisation", "organisation_code",
        "practitioner", "role", "start_date", "end_date", "lead_professional", "sensitive_category", "shared_on",
    },
    "directory_withheld": {"child_id", "details"},
    "directory_views": {"child_id", "source", "version", "la_code", "view", "updated_at"},
}  # fmt: skip

CASE_VOCABULARY = (
    "assess", "episode", "referral", "plan", "enquir", "conference", "need", "factor", "placement", "missing",
    "review", "conclusion", "domain", "ethnic", "disab", "consent", "reason", "death", "legal", "abuse", "note",
)  # fmt: skip

OWN_TABLES = ("directory_", "caf_", "audit_", "store_events")


def test_directory_tables_have_exactly_the_data_set_columns() -> None:
    tables = {table.name: {column.name for column in table.columns} for table in metadata.sorted_tables}
    directory = {name: columns for name, columns in tables.items() if name.startswith("directory_")}
    assert directory == DIRECTORY_COLUMNS


def test_no_directory_column_is_named_for_case_information() -> None:
    for table, columns in DIRECTORY_COLUMNS.items():
        for column in columns:
            assert not any(word in column for word in CASE_VOCABULARY), f"{table}.{column}"


def test_migrations_build_exactly_the_declared_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences: list[Any] = [diff for diff in compare_metadata(context, metadata) if _is_own(diff)]
    assert differences == []
    names = set(inspect(database.engine).get_table_names())
    assert (
        set(DIRECTORY_COLUMNS) | {"audit_log", "audit_head", "store_events", "caf_assessments", "caf_consents"} <= names
    )


def _is_own(diff: Any) -> bool:
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item:
            name = getattr(part, "name", None) or getattr(getattr(part, "table", None), "name", None)
            if isinstance(name, str) and name.startswith(OWN_TABLES):
                return True
            if isinstance(part, str) and part.startswith(OWN_TABLES):
                return True
    return False
