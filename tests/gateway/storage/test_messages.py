"""The message store keeps every payload byte for byte, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from gateway import CanonicalMessage, Issue, SourceLocation
from gateway.errors import StorageError
from gateway.pipeline import new_envelope
from gateway.storage import Database, MessageStore

FILES = [("episodes.csv", b"CHILD,DECOM\r\n1,01/02/2024\r\n"), ("header.csv", b"CHILD,SEX\r\n1,1\r\n\x00\xff")]


def test_migrations_create_the_tables_from_empty(database: Database) -> None:
    assert {"messages", "message_files", "alembic_version"} <= set(database.table_names())
    database.migrate()  # idempotent


def test_receive_keeps_every_file_byte_for_byte(database: Database) -> None:
    store = MessageStore(database)
    envelope = new_envelope(FILES, supplier_id="acme", la_code="201", format_id="ssda903-csv")
    assert store.receive(envelope, FILES)
    stored = store.get(envelope.message_id)
    assert stored is not None
    assert stored.envelope == envelope
    assert stored.status == "received"
    assert stored.file_names == ("episodes.csv", "header.csv")
    assert [(f.name, f.data) for f in store.files(envelope.message_id)] == FILES


def test_a_retried_receipt_is_harmless_but_a_reused_id_is_refused(database: Database) -> None:
    store = MessageStore(database)
    envelope = new_envelope(FILES, supplier_id="acme", la_code="201", format_id="ssda903-csv", message_id="m-1")
    assert store.receive(envelope, FILES)
    assert not store.receive(envelope, FILES)
    other = [("episodes.csv", b"different")]
    clash = new_envelope(other, supplier_id="acme", la_code="201", format_id="ssda903-csv", message_id="m-1")
    with pytest.raises(StorageError, match="different payload"):
        store.receive(clash, other)
    assert store.count_by_status() == {"received": 1}


def test_outcome_is_recorded_with_issues(database: Database) -> None:
    store = MessageStore(database)
    envelope = new_envelope(FILES, supplier_id="acme", la_code="201", format_id="ssda903-csv")
    store.receive(envelope, FILES)
    issue = Issue(
        rule="read/csv", severity="error", message="m", location=SourceLocation(file="header.csv", row=1, column="SEX")
    )
    message = CanonicalMessage(envelope=envelope.model_copy(update={"format_version": "2024-25"}), issues=(issue,))
    store.record_outcome(message, "rejected")
    stored = store.get(envelope.message_id)
    assert stored is not None
    assert (stored.status, stored.error_count, stored.warning_count) == ("rejected", 1, 0)
    assert stored.issues == (issue,)
    assert stored.envelope.format_version == "2024-25"
    assert store.count_by_status() == {"rejected": 1}


def test_unknown_message_is_none(database: Database) -> None:
    assert MessageStore(database).get("nope") is None
    assert MessageStore(database).files("nope") == []
