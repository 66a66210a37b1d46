"""cin/8696: an assessment's end (authorisation) date falls within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    ended = [
        (index, part.authorised_date) for index, part in enumerate(child_record.assessments) if part.authorised_date
    ]
    if not ended:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, day in ended:
        if day is not None and not period[0] <= day <= period[1]:
            yield Finding(f"/assessments/{index}/authorised_date")


RULE = RecordRule(
    id="cin/8696",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Assessment end date must fall within the census year",
    fields=("/assessments/*/authorised_date",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="If present, AssessmentAuthorisationDate is within the census year (1 April to the ReferenceDate).",
        why="The census reports assessments completed in the year; other dates belong to other returns or are errors.",
        fix="Correct the authorisation date, or leave out assessments completed before the census year.",
    ),
    examples=(
        passes("in the year", record(assessments=[assessment(start_date="2023-05-01", authorised_date="2023-06-01")])),
        fails(
            "in 2020",
            record(assessments=[assessment(authorised_date="2020-09-19")]),
            at=["/records/0/assessments/0/authorised_date"],
        ),
    ),
)
