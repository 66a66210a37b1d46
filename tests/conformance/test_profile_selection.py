"""Which profile checks a submission: explicit wins, else a census file's own DfE pack, else ECM_PROFILE."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.catalogue import builtin_catalogue
from conformance.runner import build_check
from conformance.selection import ProfileSelection
from gateway import CanonicalMessage, Envelope, SubmissionHeader
from gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
CIN2ROWS = ROOT / "tests" / "fixtures" / "cin-census" / "CIN2rows.xml"
NOT_SEEN = ROOT / "tests" / "fixtures" / "conformance" / "assessment-child-not-seen.xml"
runner = CliRunner()


@pytest.fixture(scope="module")
def selection() -> ProfileSelection:
    return ProfileSelection(builtin_catalogue(), default="ics-1c")


def _census(year: str | None) -> SubmissionHeader:
    return SubmissionHeader(format_id="cin-census-xml", format_version=year)


@pytest.mark.parametrize("year", ["2023-24", "2024-25", "2025-26"])
def test_a_census_file_gets_the_pack_of_the_year_its_header_declares(selection: ProfileSelection, year: str) -> None:
    choice = selection.choose("cin-census-xml", _census(year))
    assert choice.id == f"cin-census-{year}"
    assert year in choice.reason and "header" in choice.reason


@pytest.mark.parametrize("header", [_census("2019-20"), _census(None), None])
def test_a_census_file_without_a_known_year_gets_the_newest_pack_and_says_so(
    selection: ProfileSelection, header: SubmissionHeader | None
) -> None:
    choice = selection.choose("cin-census-xml", header)
    assert choice.id == "cin-census-2025-26"
    assert "newest census pack" in choice.reason


def test_ssda903_gets_ics_1b_and_every_other_format_the_configured_default(selection: ProfileSelection) -> None:
    ssda903 = selection.choose("ssda903-csv", None)
    assert ssda903.id == "ics-1b" and "no DfE SSDA903 pack" in ssda903.reason
    for format_id in ("ics-xml", "fhir-r4-json", "person-csv", "dfe-csc-api-json"):
        choice = selection.choose(format_id, None)
        assert (choice.id, choice.reason) == ("ics-1c", f"{format_id} file: the default profile ics-1c")
    council = ProfileSelection(builtin_catalogue(), default="duplicate-prevention-mandatory")
    assert council.choose("ics-xml", None).id == "duplicate-prevention-mandatory"
    assert council.choose("cin-census-xml", _census("2024-25")).id == "cin-census-2024-25"


def test_an_explicit_profile_wins_for_every_format() -> None:
    explicit = ProfileSelection(builtin_catalogue(), explicit="ics-1b")
    for format_id, header in (("cin-census-xml", _census("2024-25")), ("ssda903-csv", None), ("ics-xml", None)):
        choice = explicit.choose(format_id, header)
        assert (choice.id, choice.reason) == ("ics-1b", "profile ics-1b named explicitly")


def test_profiles_are_resolved_once(selection: ProfileSelection) -> None:
    assert selection.choose("ics-xml", None).profile is selection.choose("fhir-r4-json", None).profile


def _check(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["check", *map(str, args), "--format", "json"], env={"COLUMNS": "200"})
    return result.exit_code, json.loads(result.output)


def test_check_without_profile_uses_the_census_pack_and_reports_why() -> None:
    code, document = _check(CIN2ROWS, "--as-of", "2025-06-30")
    assert code == 1
    (submission,) = document["submissions"]
    assert submission["profile"] == "cin-census-2023-24"
    assert "census year 2023-24" in submission["profile_reason"]
    rules = {issue["rule"] for issue in document["issues"]}
    assert "cin/1510" in rules and not any(rule.startswith("ics-") for rule in rules)


def test_check_with_an_explicit_profile_uses_it_for_a_census_file() -> None:
    _, document = _check(CIN2ROWS, "--profile", "ics-1b", "--as-of", "2025-06-30")
    (submission,) = document["submissions"]
    assert (submission["profile"], submission["profile_reason"]) == ("ics-1b", "profile ics-1b named explicitly")
    assert not any(issue["rule"].startswith("cin/") for issue in document["issues"])


def test_check_of_an_ics_file_uses_the_default_profile() -> None:
    _, document = _check(NOT_SEEN, "--input-format", "ics-xml", "--as-of", "2025-09-10")
    (submission,) = document["submissions"]
    assert submission["profile"] == "ics-1c"


def _stored_census_message() -> CanonicalMessage:
    envelope = Envelope.model_validate(
        {
            "message_id": "m-1",
            "supplier_id": "acme",
            "la_code": "201",
            "format_id": "cin-census-xml",
            "format_version": "2024-25",
            "received_at": "2025-05-01T09:00:00Z",
            "payload_sha256": "0" * 64,
        }
    )
    return CanonicalMessage(envelope=envelope)


def test_the_pipeline_check_judges_the_header_only_when_it_is_given(selection: ProfileSelection) -> None:
    check = build_check(selection, today=lambda: date(2025, 6, 30))
    message = _stored_census_message()
    stored = [(issue.rule, issue.severity) for issue in check(message) if issue.rule == "cin/100"]
    assert stored == [("cin/100", "information")]  # a stored message: the header is not at hand
    right = SubmissionHeader(format_id="cin-census-xml", format_version="2024-25", reference_date=date(2025, 3, 31))
    assert not [issue for issue in check.run(message, right) if issue.rule == "cin/100"]
    wrong = SubmissionHeader(format_id="cin-census-xml", format_version="2024-25", reference_date=date(2025, 3, 30))
    assert [(issue.rule, issue.severity) for issue in check.run(message, wrong) if issue.rule == "cin/100"] == [
        ("cin/100", "error")
    ]
