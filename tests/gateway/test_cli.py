"""The command line: help everywhere with an example, the demo end to end, submit's exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gateway.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [(*prefix, info.name or info.callback.__name__) for info in group.registered_commands if info.callback]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        found.extend(_commands(sub.typer_instance, (*prefix, sub.name)))
    return found


def test_root_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("demo", "submit", "plugins", "schema", "db"):
        assert re.search(rf"\b{name}\b", result.output), name


@pytest.mark.parametrize("command", _commands(app), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert re.search(r"Example: .*ecm-gateway " + " ".join(command), result.output), result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("ecm-gateway ")


def test_demo_prints_a_summary_for_every_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    manifest = (ROOT / "samples" / "manifest.yaml").read_text(encoding="utf-8")
    titles = re.findall(r"^  - title: (.+)$", manifest, flags=re.M)
    assert titles
    for number, title in enumerate(titles, start=1):
        assert f"{number}. {title}" in result.output
    assert re.search(r"received (\d+) = accepted (\d+) \+ rejected (\d+)", result.output)
    assert (tmp_path / "demo" / "ecm-demo.sqlite3").is_file()


def test_demo_output_contains_no_synthetic_personal_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    for value in ("Okonkwo", "Amara", "Marsh-Test", "2015-03-14", "EC1A 1BB", "020 7946"):
        assert value not in result.output
    duplicates = (
        "Theodore",
        "Thornbury",
        "Thornbery",
        "Teddy",
        "2016-07-21",
        "LS11 5QT",
        "9990473188",
        "P201123456789",
    )
    for value in (*duplicates, "Elmfield", "Hannah", "DUP0001", "SCH4471", "HV20931"):
        assert value not in result.output


def test_demo_shows_duplicate_prevention_link_hold_and_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo", "--issues", "0"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "identity: 1 linked to a child already known" in text
    assert "identity: 1 held for a person's review" in text
    assert re.search(
        r"held for review: record 0 is a probable match \(weight [0-9.]+\) with a record already in the index - "
        r".*given names are forms of the same name \(nickname\)",
        text,
    )
    assert re.search(r"decides review \d+ \(probable match\): the same child", text)
    assert "released from message demo-015: directory.child.upsert -> ecm.directory" in text


def test_submit_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    # Reading only: under the default ics-1c profile the sample's deliberately invalid NHS number is rejected
    # (tests/conformance/test_pipeline_checks.py covers submit with a profile).
    monkeypatch.setenv("ECM_PROFILE", "none")
    good = ROOT / "samples" / "canonical" / "children.jsonl"
    bad = ROOT / "samples" / "canonical" / "broken.jsonl"
    ok = runner.invoke(app, ["submit", str(good), "--supplier", "acme", "--la", "201"])
    assert ok.exit_code == 0, ok.output
    assert "accepted" in ok.output
    rejected = runner.invoke(app, ["submit", str(bad), "--supplier", "acme", "--la", "201"])
    assert rejected.exit_code == 1
    assert "read/schema/literal_error" in rejected.output
    missing = runner.invoke(app, ["submit", str(tmp_path / "none.xml"), "--supplier", "acme", "--la", "201"])
    assert missing.exit_code == 2
    wrong_la = runner.invoke(app, ["submit", str(good), "--supplier", "acme", "--la", "XX"])
    assert wrong_la.exit_code == 2


def test_schema_check_passes_on_the_committed_schemas() -> None:
    result = runner.invoke(app, ["schema", "check"])
    assert result.exit_code == 0, result.output


def test_schema_check_fails_on_a_stale_schema(tmp_path: Path) -> None:
    assert runner.invoke(app, ["schema", "export", "--to", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["schema", "check", "--in", str(tmp_path)]).exit_code == 0
    (tmp_path / "issue.schema.json").write_text("{}", encoding="utf-8")
    stale = runner.invoke(app, ["schema", "check", "--in", str(tmp_path)])
    assert stale.exit_code == 1
    assert "issue.schema.json" in stale.output


def test_plugins_lists_the_builtins() -> None:
    result = runner.invoke(app, ["plugins"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "canonical-jsonl" in result.output
    assert "ecm-gateway" in result.output
