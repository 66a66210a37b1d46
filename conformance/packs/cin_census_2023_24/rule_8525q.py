"""cin/8525Q: exactly one of date of birth and expected date of birth."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    if (child.birth_date is None) == (child.expected_birth_date is None):
        yield Finding("/child/birth_date")


RULE = RecordRule(
    id="cin/8525Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    fields=("/child/birth_date", "/child/expected_birth_date"),
    check=_check,
    doc=RuleDoc(
        checks="A child has PersonBirthDate or ExpectedPersonBirthDate, and not both.",
        why="Born children have a birth date; unborn children an expected one. Both or neither is ambiguous.",
        fix="Keep the birth date for a born child and remove the expected birth date.",
    ),
    examples=(
        passes("born", {"child": {**_ID, "birth_date": "2015-06-01"}}),
        fails("neither", {"child": _ID}, at=["/records/0/child/birth_date"]),
        fails(
            "both",
            {"child": {**_ID, "birth_date": "2024-01-01", "expected_birth_date": "2024-01-03"}},
            at=["/records/0/child/birth_date"],
        ),
    ),
)
