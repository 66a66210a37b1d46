"""cin/4012Q: a CIN plan does not start and end on the same day."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.cin_plans):
        if plan.start_date is not None and plan.start_date == plan.end_date:
            yield Finding(f"/cin_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/4012Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Please check and either amend or provide a reason: CIN Plan shown as starting and ending on the same day",
    fields=("/cin_plans/*/start_date", "/cin_plans/*/end_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="Within a CINPlanDates group, CINPlanStartDate is not the same as CINPlanEndDate.",
        why="A one-day CIN plan is unusual and often a recording error.",
        fix="Check the plan's dates, or explain the one-day plan.",
    ),
    examples=(
        passes("two days", record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-01-26")])),
        fails(
            "same day",
            record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-01-24")]),
            at=["/records/0/cin_plans/0/end_date"],
        ),
    ),
)
