"""Revision 0204 builds exactly the declared retention columns and index, and indexes messages already stored;
a purge on SQLite leaves no bytes of the child in the database file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from gateway.model import CanonicalMessage, ChildRecord, PersonName
from gateway.pipeline import new_envelope
from gateway.storage import Database, MessageStore, open_database
from gateway.storage.database import _MIGRATIONS
from gateway.storage.payloads import child_keys
from gateway.storage.tables import message_children, messages, metadata
from tests.gateway.routing.support import child, jsonl


def message(*records: ChildRecord) -> CanonicalMessage:
    envelope = new_envelope([("f.jsonl", b"x")], supplier_id="acme", la_code="201", format_id="canonical-jsonl")
    return CanonicalMessage(envelope=envelope, records=records)


OWN = (
    "messages",
    "message_files",
    "message_children",
    "message_purges",
    "dead_letters",
    "caf_assessments",
    "caf_purges",
)


def _own(diff: Any) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"table={name}" in text or f"Table('{name}'" in text for name in OWN)


def test_migrations_build_exactly_the_declared_retention_schema(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [diff for diff in compare_metadata(context, metadata) if _own(diff)]
    assert differences == []


def _config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = database.engine
    return config


def test_upgrading_indexes_the_messages_already_stored(database_url: str) -> None:
    database = open_database(database_url, migrate=False)
    try:
        command.upgrade(_config(database), "0103")
        stored = message(child(1), child(2))
        with database.engine.begin() as conn:
            envelope = stored.envelope
            conn.execute(
                insert(messages).values(
                    message_id=envelope.message_id, supplier_id="acme", la_code="201",
                    received_at=envelope.received_at, payload_sha256="0" * 64, status="accepted", record_count=2,
                    error_count=0, warning_count=0, issues=[], canonical=stored.model_dump(mode="json"),
                    updated_at=envelope.received_at,
                )
            )  # fmt: skip
        command.upgrade(_config(database), "0204")
        with database.engine.connect() as conn:
            keys = set(conn.execute(select(message_children.c.child_key)).scalars())
        assert keys == child_keys(child(1)) | child_keys(child(2))
        command.downgrade(_config(database), "0103")
        command.upgrade(_config(database), "head")
    finally:
        database.dispose()


def test_a_purge_on_sqlite_leaves_no_bytes_of_the_payload_behind(tmp_path: Path) -> None:
    path = tmp_path / "messages.sqlite3"
    database = open_database(f"sqlite:///{path.as_posix()}")
    store = MessageStore(database)
    marker = "Qxzvwkjyq"
    record = child(1)
    record = record.model_copy(
        update={"child": record.child.model_copy(update={"names": (PersonName(given=("Ann",), family=marker),)})}
    )
    files = [("c.jsonl", jsonl([record]))]
    envelope = new_envelope(files, supplier_id="acme", la_code="201", format_id="canonical-jsonl")
    store.receive(envelope, files)
    store.record_outcome(message(record).model_copy(update={"envelope": envelope}), "accepted")
    checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    assert marker.encode() in path.read_bytes()
    purge = new_envelope([("p.jsonl", b"{}")], supplier_id="acme", la_code="201", format_id="canonical-jsonl")
    store.receive(purge, [("p.jsonl", b"{}")])
    store.record_outcome(message(child(1, purge=True)).model_copy(update={"envelope": purge}), "accepted")
    assert store.get(envelope.message_id).payload_removed_reason == "purge"  # type: ignore[union-attr]
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    database.dispose()
    leftovers = b"".join(p.read_bytes() for p in tmp_path.glob("messages.sqlite3*"))
    assert marker.encode() not in leftovers
