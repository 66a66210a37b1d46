"""cin/8897Q: an assessment completed in the census year records the factors it identified."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import ASSESSMENT_FACTORS_2025, NO_REFERENCE_DATE, census_period
from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    completed = [(index, part) for index, part in enumerate(child_record.assessments) if part.authorised_date]
    if not completed:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, part in completed:
        in_year = part.authorised_date is not None and part.authorised_date >= period[0]
        if in_year and (not part.factors or any(code not in ASSESSMENT_FACTORS_2025 for code in part.factors)):
            yield Finding(f"/assessments/{index}/factors")


RULE = RecordRule(
    id="cin/8897Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Parental or child factors at assessment information is missing from a completed assessment",
    fields=("/assessments/*/authorised_date", "/assessments/*/factors"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "If AssessmentAuthorisationDate is on or after the start of the census year, one or more valid "
            "AssessmentFactors are recorded for the assessment (21 when none were identified)."
        ),
        why="The factors identified at assessment are how DfE reports why children are in need.",
        fix="Record the factors the assessment identified, or 21 if none.",
    ),
    examples=(
        passes(
            "factors recorded", record(assessments=[assessment(authorised_date="2023-07-01", factors=["1C", "6B"])])
        ),
        fails(
            "no factors",
            record(assessments=[assessment(authorised_date="2024-01-27")]),
            at=["/records/0/assessments/0/factors"],
        ),
    ),
)
