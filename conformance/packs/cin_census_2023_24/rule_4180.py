"""cin/4180 (2023-24): the child's gender is recorded."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if child_record.child.sex is None:
        yield Finding("/child/sex")


RULE = RecordRule(
    id="cin/4180",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Gender is missing",
    fields=("/child/sex",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "GenderCurrent is present and a valid code (1, 2, 0 or 9). The reader leaves an invalid code unset, so "
            "it is reported here as missing."
        ),
        why="Gender is one of the identifying facts of the census record and its statistics.",
        fix="Record the child's gender: 1 male, 2 female, 0 not known or unborn, 9 not specified.",
    ),
    examples=(
        passes("gender recorded", record({"sex": "F"})),
        fails("no gender", record(), at=["/records/0/child/sex"]),
    ),
)
