"""Database fixtures: every storage test runs on SQLite and on a real PostgreSQL server.

Each PostgreSQL test gets its own schema (``search_path``), created empty and dropped afterwards, so
migrations always run from empty.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, text

from gateway.storage import Database, open_database

__all__ = ["database", "database_url", "wait_until_blocked"]


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a fresh schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'gateway.sqlite3').as_posix()}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_plain(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_plain(server_url), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An opened, migrated database (SQLite or PostgreSQL)."""
    db = open_database(database_url)
    try:
        yield db
    finally:
        db.dispose()


def wait_until_blocked(database: Database, blocker: Connection) -> None:
    """Until another session waits for a lock ``blocker`` holds (PostgreSQL); fails after 30 s without one."""
    pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar_one()
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    with database.engine.connect() as conn:
        for _ in range(600):
            found = conn.execute(waiting, {"pid": pid}).scalar_one()
            conn.rollback()  # pg_stat_activity is a snapshot per transaction
            if found:
                return
            threading.Event().wait(0.05)
    raise AssertionError("no other session waited for the lock within 30 s: the race under test did not happen")
