"""The rules guide's example rule works exactly as printed: its examples pass and it reports what it says."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.engine import ActiveRule, Session
from conformance.examples import run_example
from gateway import CheckContext, ChildRecord, RecordRule
from tests.docs.guide_code import DOCS, guide_module

GUIDE = DOCS / "integrators" / "rules.md"


def _rule() -> RecordRule:
    module = guide_module(GUIDE, "acme_rules")
    rule = module.RULE
    assert isinstance(rule, RecordRule)
    return rule


RULE = _rule()
CONTEXT = CheckContext(today=date(2025, 6, 30))


def test_the_example_rules_examples_pass() -> None:
    assert len(RULE.examples) == 2
    for example in RULE.examples:
        assert run_example(RULE, example).matches(example), example.name


days = st.none() | st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 1, 1))
plans = st.lists(
    st.fixed_dictionaries({"plan_id": st.just("P")}, optional={"start_date": days, "end_date": days}), max_size=3
)
records = st.fixed_dictionaries(
    {"child": st.fixed_dictionaries({}, optional={"death_date": days})}, optional={"cin_plans": plans}
)


@settings(max_examples=200, deadline=None)
@given(st.lists(records, min_size=1, max_size=8))
def test_the_example_rule_reports_exactly_the_open_plans_of_children_who_died(data: list[dict[str, Any]]) -> None:
    batch = [ChildRecord.model_validate(item) for item in data]
    issues = list(Session([ActiveRule(RULE, "error")], CONTEXT).check_all(batch))
    expected = [
        f"/records/{position}/cin_plans/{index}/end_date"
        for position, record in enumerate(batch)
        for index, plan in enumerate(record.cin_plans)
        if record.child.death_date is not None and plan.start_date is not None and plan.end_date is None
    ]
    assert [issue.canonical_path for issue in issues] == expected
    assert all(issue.rule == "acme/open-plan-after-death" and issue.severity == "error" for issue in issues)
