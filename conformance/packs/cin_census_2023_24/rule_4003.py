"""cin/4003: a child protection plan review is not held while a CIN plan is open."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    spans = [(plan.start_date, plan.end_date) for plan in child_record.cin_plans if plan.start_date and plan.end_date]
    if not spans:
        return
    for index, plan in enumerate(child_record.child_protection_plans):
        for review_index, review in enumerate(plan.review_dates):
            if review == plan.end_date:
                continue
            if any(start is not None and end is not None and start <= review < end for start, end in spans):
                yield Finding(f"/child_protection_plans/{index}/review_dates/{review_index}")


RULE = RecordRule(
    id="cin/4003",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CPP review date is shown as being held at the same time as an open CIN Plan.",
    fields=("/child_protection_plans/*/review_dates", "/cin_plans/*/start_date", "/cin_plans/*/end_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "No CPPreviewDate falls on or after a CINPlanStartDate and before that plan's CINPlanEndDate, unless "
            "the review date is the child protection plan's end date."
        ),
        why="Child protection reviews happen while a child is on a child protection plan, not a CIN plan.",
        fix="Correct the review date or the CIN plan's dates.",
    ),
    examples=(
        passes(
            "review after the CIN plan",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01", end_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01", review_dates=["2023-08-01"])],
            ),
        ),
        fails(
            "review during the CIN plan",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01", end_date="2023-09-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01", review_dates=["2023-08-01"])],
            ),
            at=["/records/0/child_protection_plans/0/review_dates/0"],
        ),
    ),
)
