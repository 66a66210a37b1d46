"""cin/8950Q (added 2024-25): assessment factor 19A is not used (19B or 19C instead)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.assessments):
        for factor_index, code in enumerate(part.factors):
            if code == "19A":
                yield Finding(f"/assessments/{index}/factors/{factor_index}")


RULE = RecordRule(
    id="cin/8950Q",
    pack="cin-census-2024-25",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be used "
        "('19B' or '19C' should be used instead)"
    ),
    fields=("/assessments/*/factors",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="No assessment records factor 19A; the 2024-25 schema accepts it, but DfE asks for 19B or 19C.",
        why="DfE split factor 19A into 19B and 19C so that the statistics tell the two apart.",
        fix="Record 19B or 19C, whichever the assessment found.",
    ),
    examples=(
        passes("19B", record(assessments=[assessment(authorised_date="2024-07-01", factors=["19B"])])),
        fails(
            "19A",
            record(assessments=[assessment(authorised_date="2024-07-01", factors=["1A", "19A"])]),
            at=["/records/0/assessments/0/factors/1"],
        ),
    ),
)
