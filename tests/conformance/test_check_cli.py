"""``ecm-gateway check`` and ``ecm-gateway rules``: exit codes, report formats, the acceptance messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
NOT_SEEN = FIXTURES / "conformance" / "assessment-child-not-seen.xml"
SEEN = FIXTURES / "conformance" / "assessment-child-seen.xml"
CIN2ROWS = FIXTURES / "cin-census" / "CIN2rows.xml"
runner = CliRunner()

_ICS = ["--profile", "ics-1b", "--input-format", "ics-xml", "--as-of", "2025-09-10"]


def _check(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *map(str, args)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_completed_assessment_without_child_seen_fails_ics_1b_with_exit_1() -> None:
    code, output = _check(NOT_SEEN, *_ICS, "--format", "json")
    assert code == 1, output
    issues = json.loads(output)["issues"]
    failing = [issue for issue in issues if issue["severity"] == "error"]
    assert [issue["rule"] for issue in failing] == ["ics-1b/assessment-child-seen"]
    assert failing[0]["file"] == NOT_SEEN.name
    assert failing[0]["line"] == 33
    assert failing[0]["path"].endswith("/Assessments/Assessment[1]/CompletedDate")
    assert failing[0]["child"] == "ACC0001"
    assert failing[0]["canonical_path"] == "/records/0/assessments/0/completed_date"


def test_same_assessment_with_child_seen_inside_it_passes() -> None:
    code, output = _check(SEEN, *_ICS, "--format", "json")
    assert code == 0, output
    document = json.loads(output)
    assert document["summary"]["errors"] == 0 and document["summary"]["passed"] is True


def test_json_issues_carry_the_required_fields(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, _ = _check(CIN2ROWS, "--profile", "cin-census-2023-24", "--format", "json", "--output", report)
    assert code == 1
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    assert issues
    for issue in issues:
        assert {"rule", "severity", "message", "file", "line", "row", "column", "path", "child"} <= set(issue)
        assert issue["severity"] in ("error", "warning", "information")
    upn = next(issue for issue in issues if issue["rule"] == "cin/1510")
    assert (upn["file"], upn["line"], upn["child"]) == ("CIN2rows.xml", 21, "DfEX0000001")


def test_junit_has_one_testcase_per_rule_per_file(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, _ = _check(NOT_SEEN, SEEN, *_ICS, "--format", "junit", "--output", report)
    assert code == 1
    suites = etree.parse(str(report)).getroot()
    by_file = {suite.get("name"): suite for suite in suites.iter("testsuite")}
    assert set(by_file) == {NOT_SEEN.name, SEEN.name}
    for suite in by_file.values():
        names = [case.get("name") for case in suite.iter("testcase")]
        assert len(names) == len(set(names)) and "ics-1b/assessment-child-seen" in names
    failing = [case.get("name") for case in by_file[NOT_SEEN.name].iter("testcase") if case.find("failure") is not None]
    assert failing == ["ics-1b/assessment-child-seen"]
    assert not [case for case in by_file[SEEN.name].iter("testcase") if case.find("failure") is not None]
    skipped = [case.get("name") for case in by_file[SEEN.name].iter("testcase") if case.find("skipped") is not None]
    assert skipped == ["ics-1b/possible-duplicate"]
    assert by_file[NOT_SEEN.name].get("failures") == "1"


def test_fhir_report_is_a_valid_operation_outcome(tmp_path: Path) -> None:
    from fhir.resources.R4B.operationoutcome import OperationOutcome  # noqa: PLC0415 - heavy import

    report = tmp_path / "outcome.json"
    code, _ = _check(NOT_SEEN, *_ICS, "--format", "fhir", "--output", report)
    assert code == 1
    outcome = OperationOutcome.model_validate_json(report.read_bytes())
    codes = [item.details.coding[0].code for item in outcome.issue if item.details and item.details.coding]
    assert "ics-1b/assessment-child-seen" in codes
    assert {item.severity for item in outcome.issue} == {"error", "information"}


def test_html_report_is_one_self_contained_page(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    code, _ = _check(CIN2ROWS, "--profile", "cin-census-2023-24", "--format", "html", "--output", report)
    assert code == 1
    page = report.read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page and "http://" not in page
    assert 'data-rule="cin/1510"' in page
    assert "A123456789123" not in page  # no value from the file


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ([str(FIXTURES / "conformance" / "missing.xml"), "--profile", "ics-1b"], "no such file"),
        ([str(SEEN), "--profile", "no-such-profile"], "no built-in profile"),
        ([str(SEEN), "--profile", "ics-1b", "--format", "pdf"], "--format must be one of"),
        ([str(SEEN), "--profile", "ics-1b", "--input-format", "no-such-format"], "unknown input format"),
        ([str(SEEN), "--profile", "ics-1b", "--as-of", "yesterday"], "--as-of must be a date"),
    ],
)
def test_unreadable_files_and_wrong_arguments_exit_2(arguments: list[str], reason: str) -> None:
    result = runner.invoke(app, ["check", *arguments], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert reason in result.output


def test_a_council_profile_file_can_be_named_by_path(tmp_path: Path) -> None:
    profile = tmp_path / "council.yaml"
    profile.write_text(
        "id: council\ntitle: Our go-live check\npacks: [ics-1b]\noverrides:\n"
        "  - rule: ics-1b/assessment-child-seen\n    strength: SHOULD\n    reason: pilot phase, report only\n",
        encoding="utf-8",
    )
    code, output = _check(NOT_SEEN, "--profile", profile, "--input-format", "ics-xml", "--as-of", "2025-09-10")
    assert code == 0, output
    assert "warning     ics-1b/assessment-child-seen" in output


def test_rules_prints_the_catalogue_and_a_profile() -> None:
    result = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for pack in ("ics-1b", "ics-1c", "cin-census-2023-24", "cin-census-2024-25", "cin-census-2025-26"):
        assert pack in result.output
    result = runner.invoke(app, ["rules", "--profile", "duplicate-prevention-mandatory"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "error (override)" in result.output


def test_rules_show_prints_documentation_and_verified_examples() -> None:
    result = runner.invoke(app, ["rules", "show", "cin/4180"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Gender is missing" in result.output and "Sex must be provided and equal M, F, or U" in result.output
    assert "DOES NOT HOLD" not in result.output and "(ok)" in result.output
    result = runner.invoke(app, ["rules", "show", "cin/0000"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("sample", "read_as"),
    [
        (ROOT / "samples" / "dfe-csc-api" / "payload.json", "(dfe-csc-api-json)"),  # no version: no trailing space
        (CIN2ROWS, "(cin-census-xml 2023-24)"),
    ],
)
def test_the_text_report_names_the_format_and_its_version(sample: Path, read_as: str) -> None:
    _, output = _check(sample, "--as-of", "2025-09-10")
    assert f"{sample.name} {read_as}: " in output, output
