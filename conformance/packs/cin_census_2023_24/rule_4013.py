"""cin/4013: a CIN plan's end date falls within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    ended = [(index, plan.end_date) for index, plan in enumerate(child_record.cin_plans) if plan.end_date]
    if not ended:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, day in ended:
        if day is not None and not period[0] <= day <= period[1]:
            yield Finding(f"/cin_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/4013",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan end date must fall within the census year",
    fields=("/cin_plans/*/end_date",),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="If present, CINPlanEndDate is within the census year (1 April to the ReferenceDate).",
        why="Plans that ended before the census year belong to earlier returns; later dates are in the future.",
        fix="Correct the end date, or leave out plans that ended before the census year.",
    ),
    examples=(
        passes("ended in the year", record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-06-26")])),
        fails(
            "ended last year",
            record(cin_plans=[cin_plan(start_date="2023-01-24", end_date="2023-01-26")]),
            at=["/records/0/cin_plans/0/end_date"],
        ),
    ),
)
