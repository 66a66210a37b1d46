"""cin/4180 (changed 2024-25): the child's sex is recorded as M, F or U."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if child_record.child.sex not in ("M", "F", "U"):
        yield Finding("/child/sex")


RULE = RecordRule(
    id="cin/4180",
    pack="cin-census-2024-25",
    strength="MUST",
    message="Sex must be provided and equal M, F, or U",
    fields=("/child/sex",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "Sex is present and M, F or U. (An invalid code is left unset by the reader and so reported here; a "
            "pre-2024-25 file's GenderCurrent is mapped to canonical sex 1/2/0/9 -> M/F/U/U.)"
        ),
        why="From 2024-25 the census records the child's sex, M, F or U (not known or unborn).",
        fix="Record the child's sex as M, F or U.",
    ),
    examples=(
        passes("F", record({"sex": "F"})),
        fails("missing", record(), at=["/records/0/child/sex"]),
    ),
)
