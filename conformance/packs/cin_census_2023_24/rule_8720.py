"""cin/8720: a child protection plan has a start date, not after the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    reference = None
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.start_date is None:
            yield Finding(f"/child_protection_plans/{index}/start_date")
            continue
        reference = reference or census_reference(context)
        if reference is None:
            yield NO_REFERENCE_DATE
            return
        if plan.start_date > reference:
            yield Finding(f"/child_protection_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/8720",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection Plan Start Date missing or out of data collection period",
    fields=("/child_protection_plans/*/start_date",),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "Where a ChildProtectionPlans module is present, CPPstartDate is present and on or before the "
            "ReferenceDate."
        ),
        why="A plan without a start, or starting after the census year, cannot be counted.",
        fix="Record the plan's start date; check the year.",
    ),
    examples=(
        passes("started", record(child_protection_plans=[protection_plan(start_date="2023-06-01")])),
        fails(
            "no start",
            record(child_protection_plans=[protection_plan()]),
            at=["/records/0/child_protection_plans/0/start_date"],
        ),
    ),
)
