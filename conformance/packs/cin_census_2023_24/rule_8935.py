"""cin/8935: a child has at most one open child protection plan."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    open_ones = [index for index, plan in enumerate(child_record.child_protection_plans) if plan.end_date is None]
    if len(open_ones) > 1:
        for index in open_ones:
            yield Finding(f"/child_protection_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/8935",
    pack="cin-census-2023-24",
    strength="MUST",
    message="This child is showing more than one open Child Protection plan, i.e. with no End Date",
    fields=("/child_protection_plans/*/end_date",),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="A child has at most one ChildProtectionPlans group with no CPPendDate.",
        why="A child is subject to one child protection plan at a time.",
        fix="Record the end date of the earlier plan.",
    ),
    examples=(
        passes(
            "one open",
            record(
                child_protection_plans=[
                    protection_plan(start_date="2023-05-01", end_date="2023-06-01"),
                    protection_plan("P2", start_date="2023-07-01"),
                ]
            ),
        ),
        fails(
            "two open",
            record(
                child_protection_plans=[
                    protection_plan(start_date="2023-05-01"),
                    protection_plan("P2", start_date="2023-07-01"),
                ]
            ),
            at=["/records/0/child_protection_plans/0/end_date", "/records/0/child_protection_plans/1/end_date"],
        ),
    ),
)
