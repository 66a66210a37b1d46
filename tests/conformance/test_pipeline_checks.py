"""The pipeline runs the configured profile (ECM_PROFILE, default ics-1c): submit reports rule issues."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.access import Caller
from gateway.cli import app
from gateway.cli.compose import build_checks, build_intake, build_registry
from gateway.cli.wiring import Gateway, build_gateway
from gateway.errors import ConfigurationError
from gateway.pipeline import ProcessResult
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


def _submit_census(tmp_path: Path, body: bytes, profile: str = "ics-1c") -> ProcessResult:
    settings = load_settings(data_dir=tmp_path, profile=profile)
    intake = build_intake(settings, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return intake.submit([(CIN2ROWS.name, body)], supplier_id="acme", la_code="201", format_id="cin-census-xml")


def test_the_intake_checks_a_census_file_against_its_census_pack_with_its_header(tmp_path: Path) -> None:
    result = _submit_census(tmp_path, CIN2ROWS.read_bytes())  # ECM_PROFILE ics-1c: for the other formats
    issues = result.message.issues
    assert ("cin/1510", "/records/0/child/upn") in {(issue.rule, issue.canonical_path) for issue in issues}
    assert not [issue for issue in issues if issue.rule.startswith("ics-")]
    assert not [issue for issue in issues if issue.rule == "cin/100"]  # ReferenceDate 2024-03-31: right
    assert result.outcome == "rejected"


def test_a_wrong_reference_date_raises_rule_100_through_the_intake(tmp_path: Path) -> None:
    body = CIN2ROWS.read_bytes().replace(b"<ReferenceDate>2024-03-31<", b"<ReferenceDate>2024-03-30<")
    assert body != CIN2ROWS.read_bytes()
    issues = _submit_census(tmp_path, body).message.issues
    assert [(issue.rule, issue.severity, issue.message) for issue in issues if issue.rule == "cin/100"] == [
        ("cin/100", "error", "Reference Date is incorrect")
    ]


DUPLICATES = ROOT / "samples" / "duplicates"


@pytest.fixture
def gateway_on(database_url: str) -> Iterator[Callable[[str], Gateway]]:
    """The composed gateway (checks, identity resolution, routing) on the test database, with a profile."""
    opened: list[Gateway] = []

    def build(profile: str) -> Gateway:
        settings = load_settings(profile=profile)
        opened.append(build_gateway(settings, registry=build_registry(settings), database_url=database_url))
        return opened[-1]

    yield build
    for gateway in opened:
        gateway.close()


def _send(gateway: Gateway, name: str, supplier: str, message_id: str) -> ProcessResult:
    fmt = "fhir-r4-json" if name.endswith(".json") else "person-csv"
    body = (DUPLICATES / name).read_bytes()
    return gateway.intake.submit(
        [(name, body)], supplier_id=supplier, la_code="201", format_id=fmt, message_id=message_id
    )


def _rules(result: ProcessResult) -> list[tuple[str, str]]:
    return [(issue.rule, issue.severity) for issue in result.message.issues]


def test_the_possible_duplicate_rule_sees_identity_resolution_and_the_record_is_held(
    gateway_on: Callable[[str], Gateway],
) -> None:
    gateway = gateway_on("ics-1c")
    first = _send(gateway, "council.csv", "council", "m-1")
    assert first.outcome == "accepted" and _rules(first) == []
    typo = _send(gateway, "health.json", "health", "m-2")  # same NHS number, surname misspelt: linked, no review
    assert typo.outcome == "accepted" and ("ics-1b/possible-duplicate", "warning") not in _rules(typo)
    assert typo.message.records[0].child.child_id == first.message.records[0].child.child_id
    school = _send(gateway, "school.csv", "school", "m-3")  # nickname, no NHS number: probable, a SHOULD
    assert school.outcome == "accepted" and school.held == (0,)
    assert _rules(school) == [("ics-1b/possible-duplicate", "warning"), ("match/held-for-review", "information")]


def test_a_council_making_duplicate_prevention_a_must_rejects_until_a_person_decides(
    gateway_on: Callable[[str], Gateway],
) -> None:
    gateway = gateway_on("duplicate-prevention-mandatory")
    assert gateway.resolver is not None
    queue = gateway.resolver.queue
    _send(gateway, "council.csv", "council", "m-1")
    rejected = _send(gateway, "school.csv", "school", "m-2")
    assert rejected.outcome == "rejected"
    assert _rules(rejected) == [("ics-1b/possible-duplicate", "error"), ("match/held-for-review", "information")]
    (review,) = queue.reviews()  # queued for a person although the message was rejected
    queue.decide(review.review_id, same=False, by=Caller(user_id="r", organisation_code="LA201"), reason="twins")
    again = _send(gateway, "school.csv", "school", "m-3")  # the supplier sends it again once decided
    assert again.outcome == "accepted" and again.held == () and _rules(again) == []
    assert again.message.records[0].child.child_id == queue.child_of(review.record_id)


def test_an_explicit_profile_applies_to_a_census_file_too(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    gateway = build_gateway(
        settings,
        registry=build_registry(settings),
        database_url=f"sqlite:///{tmp_path / 'explicit.sqlite3'}",
        explicit_profile="ics-1b",
    )
    try:
        result = gateway.intake.submit(
            [(CIN2ROWS.name, CIN2ROWS.read_bytes())], supplier_id="acme", la_code="201", format_id="cin-census-xml"
        )
    finally:
        gateway.close()
    rules = {issue.rule for issue in result.message.issues}
    assert not [rule for rule in rules if rule.startswith("cin/")]  # the census pack was not applied
    assert [rule for rule in rules if rule.startswith("ics-1b/")]
