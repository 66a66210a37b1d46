"""cin/8750 (changed 2024-25): an unborn child's sex is U."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    if child.expected_birth_date is not None and child.birth_date is None and child.sex != "U":
        yield Finding("/child/sex")


RULE = RecordRule(
    id="cin/8750",
    pack="cin-census-2024-25",
    strength="MUST",
    message="Sex must equal U for an unborn child",
    fields=("/child/sex", "/child/birth_date", "/child/expected_birth_date"),
    check=_check,
    doc=RuleDoc(
        checks="If ExpectedPersonBirthDate is present and PersonBirthDate is not, Sex is U.",
        why="An unborn child's sex is not yet recorded.",
        fix="Record Sex U for an unborn child, and the child's sex once born.",
    ),
    examples=(
        passes("unborn, U", {"child": {**_ID, "expected_birth_date": "2025-06-01", "sex": "U"}}),
        fails(
            "unborn, F",
            {"child": {**_ID, "expected_birth_date": "2025-06-01", "sex": "F"}},
            at=["/records/0/child/sex"],
        ),
    ),
)
