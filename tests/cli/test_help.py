"""The root help says where settings come from and what runs with none."""

from __future__ import annotations

from typer.testing import CliRunner

from gateway.cli import app


def test_root_help_names_the_env_file_and_the_embedded_default() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "ECM_* environment variables or a .env file in the working directory" in text
    assert "With none set, everything stays in a SQLite file under ./var" in text
