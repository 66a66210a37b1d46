"""cin/8920: a child protection plan does not end after the child's death."""

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
        if plan.end_date is not None and plan.end_date > died:
            yield Finding(f"/child_protection_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/8920",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection Plan cannot end after the child’s Date of Death",
    fields=("/child/death_date", "/child_protection_plans/*/end_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="If PersonDeathDate is present, every CPPendDate is on or before it.",
        why="A plan ends at the latest when the child dies.",
        fix="Set the plan's end date to the date of death, or correct the date of death.",
    ),
    examples=(
        passes(
            "ended at death",
            record(
                {"death_date": "2023-12-01"},
                child_protection_plans=[protection_plan(start_date="2023-06-01", end_date="2023-12-01")],
            ),
        ),
        fails(
            "ended after death",
            record(
                {"death_date": "2023-12-01"},
                child_protection_plans=[protection_plan(start_date="2023-06-01", end_date="2023-12-05")],
            ),
            at=["/records/0/child_protection_plans/0/end_date"],
        ),
    ),
)
