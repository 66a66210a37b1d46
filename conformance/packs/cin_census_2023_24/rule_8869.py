"""cin/8869: factor 21 (no factors identified) stands alone."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        if "21" in part.factors and any(code != "21" for code in part.factors):
            yield Finding(f"/assessments/{index}/factors")


RULE = RecordRule(
    id="cin/8869",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The assessment factors code “21” cannot be used in conjunction with any other assessment factors.",
    fields=("/assessments/*/factors",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="If AssessmentFactors 21 (no factors identified) is recorded, it is the only factor of the assessment.",
        why="'No factors identified' contradicts any identified factor.",
        fix="Remove 21, or the other factors, whichever is wrong.",
    ),
    examples=(
        passes("21 alone", record(assessments=[assessment(authorised_date="2023-07-01", factors=["21"])])),
        fails(
            "21 and 1A",
            record(assessments=[assessment(authorised_date="2023-07-01", factors=["21", "1A"])]),
            at=["/records/0/assessments/0/factors"],
        ),
    ),
)
