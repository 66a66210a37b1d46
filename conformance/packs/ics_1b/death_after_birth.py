"""ics-1b/death-after-birth: a child's death date is not before the birth date."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if child.death_date is not None and child.birth_date is not None and child.death_date < child.birth_date:
        yield Finding("/child/death_date")


RULE = RecordRule(
    id="ics-1b/death-after-birth",
    pack="ics-1b",
    strength="MUST",
    message="the child's death date is before the birth date",
    fields=("/child/birth_date", "/child/death_date"),
    check=_check,
    doc=RuleDoc(
        checks="When both are recorded, the death date is on or after the birth date.",
        why="An impossible pair of dates means one of them belongs to another record or was mistyped.",
        fix="Correct the birth or death date.",
    ),
    examples=(
        passes("died after birth", {"child": {**_ID, "birth_date": "2015-01-01", "death_date": "2020-01-01"}}),
        fails(
            "died before birth",
            {"child": {**_ID, "birth_date": "2015-01-01", "death_date": "2014-12-31"}},
            at=["/records/0/child/death_date"],
        ),
    ),
)
