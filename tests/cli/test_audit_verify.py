"""``audit verify`` run without the key that signed the log says so, instead of raising a tampering alarm."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.cli import app
from gateway.storage import open_database
from gateway.storage.tables import audit_log

runner = CliRunner()
KEY = b"k" * 40


def _fill(url: str, key: bytes | None) -> None:
    database = open_database(url)
    try:
        for _ in range(3):
            with database.engine.begin() as conn:
                AuditLog(key=key).append(
                    conn,
                    AuditEntry.by(
                        Caller(user_id="u-1", organisation_code="ORG-1"), "directory.view", "safeguarding", "found"
                    ),
                )
    finally:
        database.dispose()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("ECM_AUDIT_KEY", raising=False)
    return f"sqlite:///{tmp_path / 'gateway.sqlite3'}"


def test_a_signed_log_verified_without_its_key_says_to_set_the_key(url: str) -> None:
    _fill(url, KEY)
    result = runner.invoke(app, ["audit", "verify"], env={"ECM_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "ECM_AUDIT_KEY is not set, but this log is signed" in text
    assert "report it to your information governance lead" not in text
    signed = runner.invoke(
        app, ["audit", "verify"], env={"ECM_DATABASE_URL": url, "ECM_AUDIT_KEY": KEY.decode(), "COLUMNS": "200"}
    )
    assert signed.exit_code == 0, signed.output


def test_an_edited_unsigned_log_still_goes_to_information_governance(url: str) -> None:
    _fill(url, None)
    database = open_database(url)
    with database.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(reason="forged"))
    database.dispose()
    result = runner.invoke(app, ["audit", "verify"], env={"ECM_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "report it to your information governance lead" in text
    assert "ECM_AUDIT_KEY is not set, but this log is signed" not in text
