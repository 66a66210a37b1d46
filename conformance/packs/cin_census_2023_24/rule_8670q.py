"""cin/8670Q: an open assessment has not run for more than 45 working days by the end of the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.calendar import add_working_days
from conformance.census import NO_REFERENCE_DATE, census_reference
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
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
        return
    for index, start in open_ones:
        if start is not None and add_working_days(start, 45) < reference:
            yield Finding(f"/assessments/{index}/start_date")


RULE = RecordRule(
    id="cin/8670Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: Assessment started more than 45 working days "
        "before the end of the census year. However, there is no Assessment end date."
    ),
    fields=("/assessments/*/start_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "An assessment with no AssessmentAuthorisationDate did not start more than 45 working days before the "
            "ReferenceDate (the 45th working day after its start is on or after the ReferenceDate). Working days "
            "exclude weekends and England's bank holidays."
        ),
        why=(
            "Assessments should complete within 45 working days (Working Together); an older open one is late or "
            "unrecorded."
        ),
        fix="Record the authorisation date if the assessment is complete; otherwise explain the delay.",
    ),
    examples=(
        passes("started in March", record(assessments=[assessment(start_date="2024-03-01")])),
        fails(
            "started in September, still open",
            record(assessments=[assessment(start_date="2023-09-01")]),
            at=["/records/0/assessments/0/start_date"],
        ),
    ),
)
