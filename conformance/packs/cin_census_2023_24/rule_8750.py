"""cin/8750 (2023-24): an unborn child's gender is 0 (not known)."""

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
    pack="cin-census-2023-24",
    strength="MUST",
    message="Gender must equal 0 for an unborn child",
    fields=("/child/sex", "/child/birth_date", "/child/expected_birth_date"),
    check=_check,
    doc=RuleDoc(
        checks=(
            "If ExpectedPersonBirthDate is present and PersonBirthDate is not, GenderCurrent is 0. (Canonical sex "
            "keeps 0 and 9 both as U, so a 9 is not told apart from 0 here.)"
        ),
        why="An unborn child's gender is not yet recorded.",
        fix="Record gender 0 for an unborn child, and the child's gender once born.",
    ),
    examples=(
        passes("unborn, gender 0", {"child": {**_ID, "expected_birth_date": "2024-06-01", "sex": "U"}}),
        fails(
            "unborn, gender 2",
            {"child": {**_ID, "expected_birth_date": "2024-06-01", "sex": "F"}},
            at=["/records/0/child/sex"],
        ),
    ),
)
