"""The pipeline runs the configured profile (ECM_PROFILE, default ics-1c): submit reports rule issues."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.cli.compose import build_checks, build_intake
from gateway.errors import ConfigurationError
from gateway.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
NOT_SEEN = ROOT / "tests" / "fixtures" / "conformance" / "assessment-child-not-seen.xml"
CIN2ROWS = ROOT / "tests" / "fixtures" / "cin-census" / "CIN2rows.xml"
runner = CliRunner()


def test_default_profile_is_ics_1c() -> None:
    assert load_settings().profile == "ics-1c"
    assert len(build_checks(load_settings())) == 1
    assert build_checks(load_settings(profile="none")) == []
    with pytest.raises(ConfigurationError, match="no built-in profile"):
        build_checks(load_settings(profile="no-such-profile"))


def test_submit_rejects_a_completed_assessment_without_child_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    result = runner.invoke(
        app,
        ["submit", str(NOT_SEEN), "--supplier", "acme", "--la", "201", "--format", "ics-xml"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1, result.output
    assert "ics-1b/assessment-child-seen" in result.output


def test_pipeline_checks_cin_census_without_the_header(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, profile="cin-census-2023-24")
    intake = build_intake(settings, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = intake.submit(
        [(CIN2ROWS.name, CIN2ROWS.read_bytes())], supplier_id="acme", la_code="201", format_id="cin-census-xml"
    )
    issues = result.message.issues
    assert ("cin/1510", "/records/0/child/upn") in {(issue.rule, issue.canonical_path) for issue in issues}
    header_rule = [issue for issue in issues if issue.rule == "cin/100"]
    assert [issue.severity for issue in header_rule] == ["information"]  # the header is not kept with the message
    assert result.outcome == "rejected"
