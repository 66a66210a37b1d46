"""cin/8736: an assessment not yet completed started within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    open_ones = [
        (index, part.start_date)
        for index, part in enumerate(child_record.assessments)
        if part.authorised_date is None and part.start_date is not None
    ]
    if not open_ones:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, start in open_ones:
        if start is not None and not period[0] <= start <= period[1]:
            yield Finding(f"/assessments/{index}/start_date")


RULE = RecordRule(
    id="cin/8736",
    pack="cin-census-2023-24",
    strength="MUST",
    message="For an Assessment that has not been completed, the start date must fall within the census year",
    fields=("/assessments/*/start_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "If an assessment has no AssessmentAuthorisationDate, its AssessmentActualStartDate is within the census "
            "year (1 April to the ReferenceDate)."
        ),
        why="An assessment open since before the census year should have been completed; a future start is an error.",
        fix="Record the authorisation date of the completed assessment, or correct its start date.",
    ),
    examples=(
        passes("started this year", record(assessments=[assessment(start_date="2024-03-01")])),
        fails(
            "starts in 2028",
            record(assessments=[assessment(start_date="2028-04-28")]),
            at=["/records/0/assessments/0/start_date"],
        ),
    ),
)
