"""The demo says where every issue is: a line, a row, or the file (never a bare "-")."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app


def test_every_issue_the_demo_prints_names_where_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ECM_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "[-]" not in result.output
    assert "cin/2887Q  [census-2024-25.xml]" in result.output
    assert "read/ssda903/year  [the submission]" in result.output
