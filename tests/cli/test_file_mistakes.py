"""The usual mistakes with files and options: each says what to do, exits 2 and prints no traceback."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gateway.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
CENSUS = ROOT / "samples" / "cin-census" / "census-2024-25.xml"
FORMATS = "canonical-jsonl, cin-census-xml, dfe-csc-api-json, fhir-r4-json, ics-xml, person-csv, ssda903-csv"

# every command that reads supplier files, with the options it needs besides the file
READING = {
    "check": ["check"],
    "convert": ["convert"],
    "explain": ["explain", "--child", "X1"],
    "duplicates": ["duplicates"],
    "submit": ["submit", "--supplier", "acme-cms", "--la", "201"],
}


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path / "var"))
    for name in ("ECM_DATABASE_URL", "ECM_BROKER_URL", "ECM_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def _run(*arguments: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(argument) for argument in arguments], env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("command", READING.values(), ids=READING.keys())
def test_a_folder_is_named_as_a_folder_not_a_missing_file(command: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    code, output = _run(*command, folder)
    assert code == 2, output
    assert f"{folder} is a folder, not a file: name the files in it" in output
    assert "no such file" not in output


@pytest.mark.parametrize("command", READING.values(), ids=READING.keys())
def test_an_empty_file_is_named_as_empty(command: list[str], tmp_path: Path) -> None:
    empty = tmp_path / "census.xml"
    empty.write_bytes(b"")
    code, output = _run(*command, empty)
    assert code == 2, output
    assert f"{empty} is empty (0 bytes)" in output


@pytest.mark.parametrize("command", ["check", "convert", "explain", "duplicates"])
def test_an_unknown_format_lists_the_formats_to_choose_from(command: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the strategy meeting\n", encoding="utf-8")
    code, output = _run(*READING[command], notes)
    assert code == 2, output
    assert "could not be detected" in output
    assert FORMATS in output


def test_a_missing_file_name_with_brackets_is_printed_as_typed(tmp_path: Path) -> None:
    missing = tmp_path / "return[bold].xml"
    code, output = _run("check", missing)
    assert code == 2
    assert f"cannot read {missing}: no such file" in output


@pytest.mark.parametrize("command", ["check", "convert", "duplicates"])
def test_an_output_in_a_missing_folder_is_refused_before_any_work(command: str, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "out.file"
    code, output = _run(*READING[command], CENSUS, "--output", target)
    assert code == 2, output
    assert f"the folder {target.parent} does not exist; create it first" in output
    assert not target.parent.exists()


@pytest.mark.parametrize("command", ["check", "convert", "duplicates"])
def test_an_output_that_is_a_folder_is_refused(command: str, tmp_path: Path) -> None:
    code, output = _run(*READING[command], CENSUS, "--output", tmp_path)
    assert code == 2, output
    assert f"--output {tmp_path} is a folder: name a file in it" in output


def test_duplicates_with_a_missing_match_model_says_which_option(tmp_path: Path) -> None:
    code, output = _run("duplicates", CENSUS, "--model", tmp_path / "model.yaml")
    assert code == 2, output
    assert "--model: cannot read" in output and "no such file" in output


def test_submit_with_an_unknown_format_is_a_wrong_argument_and_stores_nothing(tmp_path: Path) -> None:
    code, output = _run(*READING["submit"], CENSUS, "--format", "cin-xml")
    assert code == 2, output
    assert f"unknown --format 'cin-xml'; formats: {FORMATS}" in output
    code, ledger = _run("ledger")
    assert code == 0, ledger
    assert re.search(r"total\W+0\W+0\W+0\W+0\W+0\W", ledger), ledger  # nothing received


def test_submit_names_an_undetected_format_without_a_stray_space(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the strategy meeting\n", encoding="utf-8")
    code, output = _run(*READING["submit"], notes)
    assert code == 1, output  # kept and rejected, as any message the gateway cannot read
    assert ": rejected (unknown) 0 child record(s)" in output


def test_replay_refuses_a_status_that_no_message_can_have() -> None:
    code, output = _run("replay", "--status", "rejectd", "--dry-run")
    assert code == 2, output
    assert "--status must be one of received, accepted, rejected (not rejectd)" in output


SSDA903 = sorted((ROOT / "samples" / "ssda903").glob("*.csv"))


def test_an_ssda903_return_is_checked_as_submitted_with_together_and_la() -> None:
    code, output = _run("check", "--together", "--la", "201", *SSDA903)
    assert code == 0, output
    assert "6 record(s), 0 error(s)" in output
    assert "read/ssda903/la-unknown" not in output and "ics-1b/child-local-id" not in output


def test_an_ssda903_return_checked_file_by_file_is_told_about_together() -> None:
    code, output = _run("check", *SSDA903)
    assert code == 1, output
    assert f"note: {len(SSDA903)} SSDA903 files are checked one by one" in output
    assert "checked together with --together (and the LA they are for with --la)" in output


def test_check_refuses_an_la_that_is_not_a_dfe_number() -> None:
    code, output = _run("check", "--la", "20", CENSUS)
    assert code == 2, output
    assert "--la must be a three-digit DfE LA number, e.g. 201" in output


def test_submit_shows_it_is_working_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr("gateway.cli.output.error_console", Console(file=terminal, force_terminal=True, width=200))
    code, output = _run(*READING["submit"], CENSUS)
    assert code == 0, output
    assert f"receiving 1 file(s), {CENSUS.stat().st_size / 1_000_000:.1f} MB" in terminal.getvalue()


def test_explain_of_a_child_not_in_the_file_says_how_many_were_read_and_what_id_to_give() -> None:
    code, output = _run("explain", CENSUS, "--child", "SYN9999999")
    assert code == 2, output
    assert "no child 'SYN9999999' among the 3 child record(s) read from census-2024-25.xml" in output
    assert "give the LA child id exactly as the file writes it" in output
    code, output = _run("explain", CENSUS, "--child", "SYN0000001")  # the help's example id
    assert code == 0, output
    assert "child SYN0000001 (cin-census-xml)" in output


def test_submit_says_how_to_see_every_issue_and_where_a_whole_file_issue_is() -> None:
    problems = ROOT / "samples" / "fhir" / "problems.json"
    code, output = _run(*READING["submit"], problems)
    assert code == 1, output
    assert re.search(r"\.\.\. and \d+ more: `ecm-gateway check \S*problems\.json` lists every one", output), output
    code, output = _run(*READING["submit"], CENSUS)
    assert "cin/2887Q [census-2024-25.xml] Please check" in output  # not "[-]"


def test_duplicates_help_says_what_an_output_that_is_not_json_gets(tmp_path: Path) -> None:
    code, help_text = _run("duplicates", "--help")
    assert code == 0
    assert "JSON when its name ends in .json, CSV otherwise" in help_text
    pairs = tmp_path / "pairs.txt"
    code, output = _run("duplicates", CENSUS, "--output", pairs)
    assert code == 0, output
    assert pairs.read_text(encoding="utf-8").startswith("record_a,local_ids_a,record_b")


def test_clients_add_names_the_la_number_that_is_wrong() -> None:
    code, output = _run("clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "2010")
    assert code == 2, output
    assert "--la 2010 is not a three-digit DfE LA number, e.g. 201" in output


@pytest.mark.parametrize(
    ("content", "said"),
    [(None, "no such file"), (b"\xff\xfe\x00", "is not a PEM text file"), (b"", "is empty (0 bytes)")],
)
def test_clients_add_key_says_what_is_wrong_with_the_key_file(content: bytes | None, said: str, tmp_path: Path) -> None:
    assert _run("clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "201")[0] == 0
    pem = tmp_path / "acme.pub.pem"
    if content is not None:
        pem.write_bytes(content)
    code, output = _run("clients", "add-key", "acme-cms", "--kid", "k1", "--alg", "ES256", "--public-key", pem)
    assert code == 2, output
    assert "--public-key: " in output and said in output


def test_submit_reusing_a_message_id_for_other_files_says_to_choose_a_new_one() -> None:
    first = _run(*READING["submit"], CENSUS, "--message-id", "m-0042")
    assert first[0] == 0, first[1]
    again = _run(*READING["submit"], CENSUS, "--message-id", "m-0042")
    assert again[0] == 0, again[1]  # the same files again: a harmless retry
    other = ROOT / "samples" / "fhir" / "child-with-caf.json"
    code, output = _run(*READING["submit"], other, "--message-id", "m-0042")
    assert code == 2, output
    assert "--message-id m-0042 was already used for different files" in output
    assert "ECM_DATABASE_URL" not in output  # nothing is wrong with the database


def test_an_interrupted_submit_names_the_message_and_how_to_finish_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("gateway.intake.Intake.submit", interrupted)
    code, output = _run(*READING["submit"], CENSUS, "--message-id", "m-0007")
    assert code == 130, output
    assert "interrupted: message m-0007 may have been kept without an outcome" in output
    assert "`ecm-gateway replay --message m-0007` finishes it" in output


def test_check_with_an_la_the_file_does_not_declare_reports_it_as_submit_would() -> None:
    code, output = _run("check", "--la", "202", CENSUS)
    assert code == 1, output
    assert "envelope/la-code-mismatch" in output
    assert "the file declares LA 201 but is checked with --la for LA 202" in output
    assert _run("check", "--la", "201", CENSUS)[0] == 0


@pytest.mark.parametrize(
    "command",
    [["ledger", "--show", "-1"], ["ledger", "--stuck-after", "-5"], ["demo", "--issues", "-1"]],
)
def test_a_negative_count_is_refused(command: list[str]) -> None:
    code, output = _run(*command)
    assert code == 2, output
    assert "greater than or equal to 0" in output


def test_schema_export_to_a_file_and_check_in_a_missing_folder_say_so(tmp_path: Path) -> None:
    a_file = tmp_path / "schemas.json"
    a_file.write_text("{}")
    code, output = _run("schema", "export", "--to", a_file)
    assert code == 2, output
    assert f"--to {a_file} is a file: name a folder" in output
    code, output = _run("schema", "check", "--in", tmp_path / "missing")
    assert code == 2, output  # not "stale schema files ...; run: ecm-gateway schema export"
    assert "is not a folder: name the folder holding the schemas" in output


def test_naming_a_format_the_file_does_not_look_like_says_what_it_looks_like() -> None:
    fhir = ROOT / "samples" / "fhir" / "child-with-caf.json"
    code, output = _run("check", fhir, "--input-format", "cin-census-xml")
    assert code == 1, output
    assert "note: child-with-caf.json does not look like cin-census-xml; it looks like fhir-r4-json" in output
    code, output = _run("check", CENSUS, "--input-format", "cin-census-xml")
    assert "does not look like" not in output


def test_replay_of_an_unknown_message_id_names_it_and_where_ids_come_from() -> None:
    assert _run(*READING["submit"], CENSUS, "--message-id", "m-0042")[0] == 0
    code, output = _run("replay", "--message", "m-0024", "--message", "m-0042", "--dry-run")
    assert code == 0, output
    assert "no stored message has the id m-0024: ids are the message ids `submit` and the HTTP API print" in output
    assert "m-0042: outcome unchanged" in output
    code, output = _run("replay", "--message", "m-0042", "--status", "rejected", "--dry-run")
    assert "no stored message that the other options select has the id m-0042" in output
