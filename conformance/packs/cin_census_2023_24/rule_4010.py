"""cin/4010: a CIN plan has a start date, not after the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    reference = None
    for index, plan in enumerate(child_record.cin_plans):
        if plan.start_date is None:
            yield Finding(f"/cin_plans/{index}/start_date")
            continue
        reference = reference or census_reference(context)
        if reference is None:
            yield NO_REFERENCE_DATE
            return
        if plan.start_date > reference:
            yield Finding(f"/cin_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/4010",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan start date is missing or out of data collection period",
    fields=("/cin_plans/*/start_date",),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks=(
            "Where a CINPlanDates module is present, CINPlanStartDate is present and on or before the ReferenceDate."
        ),
        why="A plan without a start, or starting after the census year, cannot be counted.",
        fix="Record the plan's start date; check the year.",
    ),
    examples=(
        passes("started in the year", record(cin_plans=[cin_plan(start_date="2023-06-01")])),
        fails("no start", record(cin_plans=[cin_plan()]), at=["/records/0/cin_plans/0/start_date"]),
        fails(
            "starts after the census year",
            record(cin_plans=[cin_plan(start_date="2024-05-01")]),
            at=["/records/0/cin_plans/0/start_date"],
        ),
    ),
)
