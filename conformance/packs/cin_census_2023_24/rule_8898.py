"""cin/8898: a factor code is recorded once per assessment."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        if len(set(part.factors)) < len(part.factors):
            yield Finding(f"/assessments/{index}/factors")


RULE = RecordRule(
    id="cin/8898",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The assessment has more than one parental or child factors with the same code",
    fields=("/assessments/*/factors",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="No AssessmentFactors code appears more than once within one assessment.",
        why="Repeated factors inflate DfE's statistics of factors identified.",
        fix="Record each factor once.",
    ),
    examples=(
        passes("distinct", record(assessments=[assessment(authorised_date="2023-07-01", factors=["1A", "2B"])])),
        fails(
            "1A twice",
            record(assessments=[assessment(authorised_date="2023-07-01", factors=["1A", "1A"])]),
            at=["/records/0/assessments/0/factors"],
        ),
    ),
)
