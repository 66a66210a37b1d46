"""cin/8925: a child protection plan does not end before it starts."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.start_date is not None and plan.end_date is not None and plan.end_date < plan.start_date:
            yield Finding(f"/child_protection_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/8925",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection Plan End Date earlier than Start Date",
    fields=("/child_protection_plans/*/start_date", "/child_protection_plans/*/end_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="If present, CPPendDate is on or after CPPstartDate.",
        why="A plan cannot end before it started.",
        fix="Correct the start or end date.",
    ),
    examples=(
        passes(
            "in order", record(child_protection_plans=[protection_plan(start_date="2022-02-17", end_date="2023-03-14")])
        ),
        fails(
            "ends first",
            record(child_protection_plans=[protection_plan(start_date="2023-03-14", end_date="2022-02-17")]),
            at=["/records/0/child_protection_plans/0/end_date"],
        ),
    ),
)
