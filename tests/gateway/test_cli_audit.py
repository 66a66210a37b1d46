"""``ecm-gateway audit``: verify says where the chain is broken; checkpoints and the signing key are honoured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.cli.app import app
from gateway.storage import open_database
from gateway.storage.tables import audit_head, audit_log

runner = CliRunner()
KEY = "k" * 40
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _fill(url: str, key: bytes | None = None, count: int = 5) -> None:
    database = open_database(url)
    log = AuditLog(key=key)
    try:
        for index in range(count):
            with database.engine.begin() as conn:
                log.append(
                    conn,
                    AuditEntry.by(
                        Caller(user_id="u-1", organisation_code="ORG-1"),
                        "directory.view",
                        "safeguarding",
                        "found",
                        result_ids=[f"child-{index}"],
                    ),
                    at=START + timedelta(seconds=index),
                )
    finally:
        database.dispose()


def _tamper(url: str, statement: object) -> None:
    database = open_database(url)
    try:
        with database.engine.begin() as conn:
            conn.execute(statement)  # type: ignore[call-overload]
    finally:
        database.dispose()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"ECM_DATABASE_URL": database_url, "COLUMNS": "200"}


def test_an_intact_log_verifies_and_an_edited_entry_is_named(database_url: str, env: dict[str, str]) -> None:
    _fill(database_url)
    ok = runner.invoke(app, ["audit", "verify"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "5 entries" in ok.output

    _tamper(database_url, update(audit_log).where(audit_log.c.seq == 3).values(reason="forged"))
    broken = runner.invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert "edited" in broken.output
    row = next(line for line in broken.output.splitlines() if "edited" in line)
    assert "3" in row


def test_a_deleted_entry_is_reported_as_a_gap(database_url: str, env: dict[str, str]) -> None:
    _fill(database_url)
    _tamper(database_url, delete(audit_log).where(audit_log.c.seq == 2))
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert "deleted" in result.output and "2..2" in result.output


def test_a_checkpoint_taken_earlier_finds_a_cut_and_regrown_log(
    database_url: str, env: dict[str, str], tmp_path: Path
) -> None:
    _fill(database_url, count=4)
    taken = runner.invoke(app, ["audit", "checkpoint"], env=env)
    assert taken.exit_code == 0
    checkpoint = taken.output.strip()
    assert checkpoint.startswith("4:") and len(checkpoint) == 2 + 64
    checkpoints = tmp_path / "checkpoints.txt"
    checkpoints.write_text(f"# taken at go-live\n{checkpoint}\n", encoding="utf-8")
    assert runner.invoke(app, ["audit", "verify", "--checkpoint-file", str(checkpoints)], env=env).exit_code == 0

    # Someone rewrites entry 4 and recomputes the hashes from there (possible without a key): the chain and
    # head verify again, but the checkpoint kept off the machine does not.
    database = open_database(database_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(delete(audit_log).where(audit_log.c.seq == 4))
            prev = conn.execute(audit_log.select().where(audit_log.c.seq == 3)).mappings().one()["hash"]
            conn.execute(update(audit_head).values(seq=3, hash=prev))
    finally:
        database.dispose()
    _fill(database_url, count=1)
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0  # the chain alone looks fine
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", checkpoint], env=env)
    assert result.exit_code == 1
    assert "checkpoint" in result.output


def test_the_signing_key_comes_from_ecm_audit_key(database_url: str, env: dict[str, str]) -> None:
    _fill(database_url, key=KEY.encode())
    assert runner.invoke(app, ["audit", "verify"], env={**env, "ECM_AUDIT_KEY": KEY}).exit_code == 0
    wrong = runner.invoke(app, ["audit", "verify"], env={**env, "ECM_AUDIT_KEY": "w" * 40})
    assert wrong.exit_code == 1
    assert KEY not in wrong.output and "w" * 40 not in wrong.output


def test_bad_checkpoints_are_an_argument_error(database_url: str, env: dict[str, str]) -> None:
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", "not-a-checkpoint"], env=env)
    assert result.exit_code == 2
    assert "SEQ:HASH" in result.output


def test_show_lists_who_did_what_without_content(database_url: str, env: dict[str, str]) -> None:
    _fill(database_url, count=3)
    result = runner.invoke(app, ["audit", "show", "--after", "1"], env=env)
    assert result.exit_code == 0, result.output
    assert "directory.view" in result.output and "u-1 (ORG-1)" in result.output
    assert "audit entries (2)" in result.output
