"""cin/8608: an assessment is not authorised before it started."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        if part.start_date is not None and part.authorised_date is not None and part.authorised_date < part.start_date:
            yield Finding(f"/assessments/{index}/authorised_date")


RULE = RecordRule(
    id="cin/8608",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Assessment Start Date cannot be later than its End Date",
    fields=("/assessments/*/start_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="If present, AssessmentAuthorisationDate is on or after AssessmentActualStartDate.",
        why="An assessment cannot be completed before it started.",
        fix="Correct the start or authorisation date.",
    ),
    examples=(
        passes("in order", record(assessments=[assessment(start_date="2023-06-01", authorised_date="2023-07-01")])),
        fails(
            "authorised first",
            record(assessments=[assessment(start_date="2028-04-28", authorised_date="2020-09-19")]),
            at=["/records/0/assessments/0/authorised_date"],
        ),
    ),
)
