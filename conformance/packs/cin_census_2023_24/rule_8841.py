"""cin/8841: a child protection plan review is after the plan started."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.child_protection_plans):
        start = plan.start_date
        if start is None:
            continue
        for review_index, review in enumerate(plan.review_dates):
            if review <= start:
                yield Finding(f"/child_protection_plans/{index}/review_dates/{review_index}")


RULE = RecordRule(
    id="cin/8841",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The review date cannot be on the same day or before the Child protection Plan start date.",
    fields=("/child_protection_plans/*/start_date", "/child_protection_plans/*/review_dates"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="Within a ChildProtectionPlans group, every CPPreviewDate is after the CPPstartDate.",
        why="A plan is reviewed after it has started (the first review within three months).",
        fix="Correct the review date or the plan's start date.",
    ),
    examples=(
        passes(
            "reviewed later",
            record(child_protection_plans=[protection_plan(start_date="2023-06-01", review_dates=["2023-08-01"])]),
        ),
        fails(
            "reviewed on the first day",
            record(child_protection_plans=[protection_plan(start_date="2023-06-01", review_dates=["2023-06-01"])]),
            at=["/records/0/child_protection_plans/0/review_dates/0"],
        ),
    ),
)
