"""cin/8840: a child protection plan does not start and end on the same day."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.start_date is not None and plan.start_date == plan.end_date:
            yield Finding(f"/child_protection_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/8840",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection Plan cannot start and end on the same day",
    fields=("/child_protection_plans/*/start_date", "/child_protection_plans/*/end_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="Within a ChildProtectionPlans group, CPPstartDate is not the same as CPPendDate.",
        why="A plan that ends the day it starts was not a plan; the dates are wrong.",
        fix="Correct the plan's start or end date.",
    ),
    examples=(
        passes(
            "a week", record(child_protection_plans=[protection_plan(start_date="2023-06-01", end_date="2023-06-08")])
        ),
        fails(
            "one day",
            record(child_protection_plans=[protection_plan(start_date="2023-06-01", end_date="2023-06-01")]),
            at=["/records/0/child_protection_plans/0/end_date"],
        ),
    ),
)
