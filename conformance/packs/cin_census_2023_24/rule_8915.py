"""cin/8915: a child protection plan does not start after the child's death."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    died = child_record.child.death_date
    if died is None:
        return
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.start_date is not None and plan.start_date > died:
            yield Finding(f"/child_protection_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/8915",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection Plan shown as starting after the child’s Date of Death",
    fields=("/child/death_date", "/child_protection_plans/*/start_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="If PersonDeathDate is present, every CPPstartDate is on or before it.",
        why="A plan cannot start after the child died.",
        fix="Correct the plan's start date or the date of death.",
    ),
    examples=(
        passes(
            "before death",
            record({"death_date": "2023-12-01"}, child_protection_plans=[protection_plan(start_date="2023-06-01")]),
        ),
        fails(
            "after death",
            record({"death_date": "2023-12-01"}, child_protection_plans=[protection_plan(start_date="2023-12-05")]),
            at=["/records/0/child_protection_plans/0/start_date"],
        ),
    ),
)
