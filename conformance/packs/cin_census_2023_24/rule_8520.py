"""cin/8520: the date of birth is not after the end of the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    born = child_record.child.birth_date
    if born is None:
        return
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
    elif born > reference:
        yield Finding("/child/birth_date")


RULE = RecordRule(
    id="cin/8520",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Date of Birth is after data collection period (must be on or before the end of the census period)",
    fields=("/child/birth_date",),
    check=_check,
    doc=RuleDoc(
        checks="PersonBirthDate, when present, is on or before the census ReferenceDate.",
        why="A child born after the census period cannot be in it; an unborn child has an expected birth date instead.",
        fix="Correct the birth date, or record an ExpectedPersonBirthDate for a child not yet born.",
    ),
    examples=(
        passes("born in the census year", record({"birth_date": "2024-03-31"})),
        fails(
            "born after the reference date", record({"birth_date": "2024-04-01"}), at=["/records/0/child/birth_date"]
        ),
    ),
)
