"""cin/8614: factors identified at assessment only for completed assessments."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        if part.authorised_date is None and part.factors:
            yield Finding(f"/assessments/{index}/factors")


RULE = RecordRule(
    id="cin/8614",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Parental or child factors at assessment should only be present for a completed assessment.",
    fields=("/assessments/*/authorised_date", "/assessments/*/factors"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="If AssessmentAuthorisationDate is missing, no AssessmentFactors are recorded for that assessment.",
        why="Factors are the assessment's conclusions; an assessment still under way has none yet.",
        fix="Record the authorisation date if the assessment is complete, or remove the factors.",
    ),
    examples=(
        passes(
            "completed with factors", record(assessments=[assessment(authorised_date="2023-07-01", factors=["1A"])])
        ),
        fails(
            "open with factors",
            record(assessments=[assessment(factors=["1A"])]),
            at=["/records/0/assessments/0/factors"],
        ),
    ),
)
