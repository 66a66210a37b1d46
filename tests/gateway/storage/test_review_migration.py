"""Migration 0103 (duplicate review): builds exactly the declared match and directory-view schema, and
goes down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from gateway.storage import Database, open_database
from gateway.storage.database import _MIGRATIONS
from gateway.storage.tables import metadata

OWN = ("match_identities", "match_blocking_keys", "match_reviews", "match_decisions", "match_non_matches")


def _own(diff: Any) -> bool:
    text = repr(diff)
    names = (*OWN, "directory_views")
    return any(f"'{name}'" in text or f"table={name}" in text or f"Table('{name}'" in text for name in names)


def _config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = database.engine
    return config


def test_migrations_build_exactly_the_declared_match_schema(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [diff for diff in compare_metadata(context, metadata) if _own(diff)]
    assert differences == []


def test_0103_goes_down_and_up_again(database_url: str) -> None:
    database = open_database(database_url, migrate=False)
    try:
        command.upgrade(_config(database), "0103")
        indexes = {ix["name"] for ix in inspect(database.engine).get_indexes("match_reviews")}
        assert "ix_match_reviews_candidate_id" in indexes
        command.downgrade(_config(database), "0102")
        assert "directory_views" not in inspect(database.engine).get_table_names()
        command.upgrade(_config(database), "head")
        assert "directory_views" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()
