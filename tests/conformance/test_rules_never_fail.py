"""Property: on any shape of record, no built-in rule fails (every problem is an issue, never a crash)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conformance.catalogue import builtin_catalogue
from conformance.engine import ActiveRule, Session
from conformance.examples import FixedDirectory
from gateway import CheckContext, ChildRecord, PossibleDuplicate
from tests.conformance.strategies import records

CATALOGUE = builtin_catalogue()
RULES = [ActiveRule(rule, rule.severity) for rule in CATALOGUE.defined_rules()]


@settings(max_examples=150, deadline=None)
@given(st.lists(records, min_size=1, max_size=3), st.none() | st.dates(), st.sampled_from([None, "2024-25", "x"]))
@example(  # found in CI: school age from a reference date in year 6 fell before the calendar
    [{"child": {"birth_date": date(2000, 1, 1)}, "cin_episodes": [{"episode_id": "E1", "referral_nfa": False}]}],
    date(6, 1, 1),
    None,
)
@example([{"child": {"expected_birth_date": date(2000, 1, 1)}}], date(9999, 12, 1), None)  # 9 months later: none
@example([{"child": {"expected_birth_date": date(2000, 1, 1)}}], date(1, 1, 5), None)  # 30 days earlier: none
def test_no_rule_fails_on_any_record(data: list[dict[str, Any]], reference: date | None, version: str | None) -> None:
    context = CheckContext(
        today=date(2025, 6, 30),
        reference_date=reference,
        format_version=version,
        format_id="cin-census-xml",
        parameters={"census_year_end": 2025},
    )
    session = Session(RULES, context, FixedDirectory([PossibleDuplicate("g", 0.5)]))
    issues = list(session.check_all(ChildRecord.model_validate(item) for item in data))
    broken = sorted({issue.rule for issue in issues if "could not be run" in issue.message})
    assert broken == []
