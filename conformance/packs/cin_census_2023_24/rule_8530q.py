"""cin/8530Q: an expected date of birth falls between a month before and nine months after the reference date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from conformance.census import NO_REFERENCE_DATE, census_reference
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _plus_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter; ``date.max`` past the calendar)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > date.max.year:
        return date.max
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("no such month")  # pragma: no cover - 28 always exists


def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=days) if day - date.min >= timedelta(days=days) else date.min


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    expected = child_record.child.expected_birth_date
    if expected is None:
        return
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
    elif not _days_before(reference, 30) <= expected <= _plus_months(reference, 9):
        yield Finding("/child/expected_birth_date")


RULE = RecordRule(
    id="cin/8530Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: Expected Date of Birth is outside the expected "
        "range for this census (March to December of the Census Year end)"
    ),
    fields=("/child/expected_birth_date",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "An ExpectedPersonBirthDate is between the ReferenceDate minus 30 days and the ReferenceDate plus 9 months."
        ),
        why="An unborn child at the census date is due within nine months; other dates are usually errors.",
        fix="Correct the expected birth date, or record the birth date if the child has been born.",
    ),
    examples=(
        passes("due in June", {"child": {**_ID, "expected_birth_date": "2024-06-15"}}),
        fails(
            "due next year",
            {"child": {**_ID, "expected_birth_date": "2025-01-15"}},
            at=["/records/0/child/expected_birth_date"],
        ),
    ),
)
