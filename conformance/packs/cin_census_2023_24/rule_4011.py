"""cin/4011: a CIN plan does not end before it starts."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.cin_plans):
        if plan.start_date is not None and plan.end_date is not None and plan.end_date < plan.start_date:
            yield Finding(f"/cin_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/4011",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan End Date earlier than Start Date",
    fields=("/cin_plans/*/start_date", "/cin_plans/*/end_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="If present, CINPlanEndDate is on or after CINPlanStartDate.",
        why="A plan cannot end before it started.",
        fix="Correct the start or end date.",
    ),
    examples=(
        passes("in order", record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-01-26")])),
        fails(
            "ends first",
            record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-01-20")]),
            at=["/records/0/cin_plans/0/end_date"],
        ),
    ),
)
