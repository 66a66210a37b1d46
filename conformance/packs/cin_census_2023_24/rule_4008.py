"""cin/4008: a CIN plan does not start after the child's death."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    died = child_record.child.death_date
    if died is None:
        return
    for index, plan in enumerate(child_record.cin_plans):
        if plan.start_date is not None and plan.start_date > died:
            yield Finding(f"/cin_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/4008",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan shown as starting after the child’s Date of Death.",
    fields=("/child/death_date", "/cin_plans/*/start_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="If PersonDeathDate is present, every CINPlanStartDate is on or before it.",
        why="A plan cannot start after the child died; one of the dates is wrong.",
        fix="Correct the plan's start date or the date of death.",
    ),
    examples=(
        passes("before death", record({"death_date": "2023-12-01"}, cin_plans=[cin_plan(start_date="2023-06-01")])),
        fails(
            "after death",
            record({"death_date": "2023-12-01"}, cin_plans=[cin_plan(start_date="2023-12-02")]),
            at=["/records/0/cin_plans/0/start_date"],
        ),
    ),
)
