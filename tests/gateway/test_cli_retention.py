"""``ecm-gateway retention run``: a dry run changes nothing, a run removes what is due and audits it with the
configured key, and the date cannot be moved into the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from gateway.audit import AuditLog
from gateway.cli.app import app
from gateway.pipeline import new_envelope
from gateway.storage import MessageStore, open_database
from gateway.storage.tables import messages
from tests.gateway.routing.support import child, jsonl

runner = CliRunner()
KEY = "r" * 40


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"ECM_DATABASE_URL": database_url, "COLUMNS": "200", "ECM_AUDIT_KEY": KEY}


def _old_rejected_message(url: str) -> str:
    database = open_database(url)
    try:
        files = [("c.jsonl", jsonl([child(1)]))]
        envelope = new_envelope(files, supplier_id="acme", la_code="201", format_id="canonical-jsonl")
        store = MessageStore(database)
        store.receive(envelope, files)
        with database.engine.begin() as conn:
            conn.execute(
                update(messages)
                .where(messages.c.message_id == envelope.message_id)
                .values(status="rejected", canonical={}, received_at=datetime.now(UTC) - timedelta(days=100))
            )
        return envelope.message_id
    finally:
        database.dispose()


def _reason(url: str, message_id: str) -> str | None:
    database = open_database(url)
    try:
        with database.engine.connect() as conn:
            reason = conn.execute(
                select(messages.c.payload_removed_reason).where(messages.c.message_id == message_id)
            ).scalar_one()
            return str(reason) if reason is not None else None
    finally:
        database.dispose()


def test_dry_run_then_run(database_url: str, env: dict[str, str]) -> None:
    message_id = _old_rejected_message(database_url)
    dry = runner.invoke(app, ["retention", "run", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "would remove" in dry.output and "payloads of messages awaiting replay" in dry.output
    assert _reason(database_url, message_id) is None
    done = runner.invoke(app, ["retention", "run"], env=env)
    assert done.exit_code == 0, done.output
    assert _reason(database_url, message_id) == "retention"
    assert KEY not in done.output
    database = open_database(database_url)
    try:
        assert AuditLog(key=KEY.encode()).verify(database.engine).ok  # signed with ECM_AUDIT_KEY
        assert not AuditLog().verify(database.engine).ok
    finally:
        database.dispose()


def test_the_as_of_date_cannot_be_in_the_future(env: dict[str, str]) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    refused = runner.invoke(app, ["retention", "run", "--as-of", tomorrow], env=env)
    assert refused.exit_code == 2 and "future" in refused.output
    assert runner.invoke(app, ["retention", "run", "--as-of", tomorrow, "--dry-run"], env=env).exit_code == 0
