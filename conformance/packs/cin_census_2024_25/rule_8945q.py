"""cin/8945Q (added 2024-25): assessment factor 18A is not used (18B or 18C instead)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        for factor_index, code in enumerate(part.factors):
            if code == "18A":
                yield Finding(f"/assessments/{index}/factors/{factor_index}")


RULE = RecordRule(
    id="cin/8945Q",
    pack="cin-census-2024-25",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be used "
        "('18B' or '18C' should be used instead)"
    ),
    fields=("/assessments/*/factors",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="No assessment records factor 18A; the 2024-25 schema accepts it, but DfE asks for 18B or 18C.",
        why="DfE split factor 18A into 18B and 18C so that the statistics tell the two apart.",
        fix="Record 18B or 18C, whichever the assessment found.",
    ),
    examples=(
        passes("18B", record(assessments=[assessment(authorised_date="2024-07-01", factors=["18B"])])),
        fails(
            "18A",
            record(assessments=[assessment(authorised_date="2024-07-01", factors=["1A", "18A"])]),
            at=["/records/0/assessments/0/factors/1"],
        ),
    ),
)
