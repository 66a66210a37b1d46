"""ics-1b/birth-date-or-expected: a child has exactly one of a birth date and an expected birth date."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if child.birth_date is None and child.expected_birth_date is None:
        yield Finding("/child/birth_date", "neither is recorded")
    elif child.birth_date is not None and child.expected_birth_date is not None:
        yield Finding("/child/expected_birth_date", "both are recorded")


RULE = RecordRule(
    id="ics-1b/birth-date-or-expected",
    pack="ics-1b",
    strength="MUST",
    message="a child must have exactly one of a birth date and an expected birth date",
    fields=("/child/birth_date", "/child/expected_birth_date"),
    check=_check,
    doc=RuleDoc(
        checks="A born child has a birth date and no expected birth date; an unborn child an expected birth date only.",
        why=(
            "Birth date is the strongest identifying fact after the NHS number; both or neither makes a record "
            "ambiguous."
        ),
        fix="Record the birth date once the child is born and remove the expected birth date.",
    ),
    examples=(
        passes("born", {"child": {**_ID, "birth_date": "2015-01-01"}}),
        passes("unborn", {"child": {**_ID, "expected_birth_date": "2025-09-01"}}),
        fails("neither", {"child": _ID}, at=["/records/0/child/birth_date"]),
        fails(
            "both",
            {"child": {**_ID, "birth_date": "2025-01-01", "expected_birth_date": "2025-01-10"}},
            at=["/records/0/child/expected_birth_date"],
        ),
    ),
)
