"""cin/4014: a child's CIN plans do not overlap."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    plans = child_record.cin_plans
    if len(plans) < 2:
        return
    reference = census_reference(context)
    for index, plan in enumerate(plans):
        start = plan.start_date
        if start is None:
            continue
        for other_index, other in enumerate(plans):
            if other_index == index or other.start_date is None or start < other.start_date:
                continue
            if other.end_date is None and reference is None:
                yield NO_REFERENCE_DATE
                return
            if start <= (other.end_date or reference or start):
                yield Finding(f"/cin_plans/{index}/start_date")
                break


RULE = RecordRule(
    id="cin/4014",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan data contains overlapping dates",
    fields=("/cin_plans/*/start_date", "/cin_plans/*/end_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks=(
            "Where a child has more than one CIN plan, no CINPlanStartDate falls on or between another plan's start "
            "and end date (or its start and the ReferenceDate if it has no end date)."
        ),
        why="A child has one CIN plan at a time; overlaps double-count the child.",
        fix="Correct the plans' dates so they follow one another.",
    ),
    examples=(
        passes(
            "one after the other",
            record(
                cin_plans=[
                    cin_plan(start_date="2023-05-01", end_date="2023-06-01"),
                    cin_plan("N2", start_date="2023-06-02"),
                ]
            ),
        ),
        fails(
            "second starts the day the first ends",
            record(
                cin_plans=[
                    cin_plan(start_date="2023-05-01", end_date="2023-06-01"),
                    cin_plan("N2", start_date="2023-06-01"),
                ]
            ),
            at=["/records/0/cin_plans/1/start_date"],
        ),
    ),
)
