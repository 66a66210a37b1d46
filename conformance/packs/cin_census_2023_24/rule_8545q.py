"""cin/8545Q: a date of death falls within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    died = child_record.child.death_date
    if died is None:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
    elif not period[0] <= died <= period[1]:
        yield Finding("/child/death_date")


RULE = RecordRule(
    id="cin/8545Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: Child's date of death should be within the census year"
    ),
    fields=("/child/death_date",),
    check=_check,
    doc=RuleDoc(
        checks="If PersonDeathDate is present, it falls within the census year (1 April to the ReferenceDate).",
        why="A child who died before the census year should not be in this year's return; after it is in the future.",
        fix="Correct the date of death, or remove the child from the return if they died before the census year.",
    ),
    examples=(
        passes("died in the census year", record({"death_date": "2023-12-01"})),
        fails("died before the census year", record({"death_date": "2023-03-31"}), at=["/records/0/child/death_date"]),
    ),
)
