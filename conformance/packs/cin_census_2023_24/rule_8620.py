"""cin/8620: a closure date falls within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    closed = [(index, item.closure_date) for index, item in enumerate(child_record.cin_episodes) if item.closure_date]
    if not closed:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, day in closed:
        if day is not None and not period[0] <= day <= period[1]:
            yield Finding(f"/cin_episodes/{index}/closure_date")


RULE = RecordRule(
    id="cin/8620",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Closure Date present and does not fall within the Census year",
    fields=("/cin_episodes/*/closure_date",),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If CINclosureDate is present, it is within the census year (1 April to the ReferenceDate).",
        why="Episodes closed before the census year belong to earlier returns; after it, the date is in the future.",
        fix="Correct the closure date, or leave out episodes that closed before the census year.",
    ),
    examples=(
        passes("closed in the year", record(cin_episodes=[episode(closure_date="2024-03-31")])),
        fails(
            "closed last year",
            record(cin_episodes=[episode(closure_date="2023-03-31")]),
            at=["/records/0/cin_episodes/0/closure_date"],
        ),
    ),
)
