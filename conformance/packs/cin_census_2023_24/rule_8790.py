"""cin/8790: disability NONE is not recorded together with other disabilities."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    codes = child_record.child.disabilities
    if "NONE" in codes and any(code != "NONE" for code in codes):
        yield Finding("/child/disabilities")


RULE = RecordRule(
    id="cin/8790",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Disability information includes both None and other values",
    fields=("/child/disabilities",),
    check=_check,
    doc=RuleDoc(
        checks="If Disability NONE is recorded, no other Disability code is.",
        why="NONE means the child has no disability; with another code the record contradicts itself.",
        fix="Remove NONE, or the other codes, whichever is wrong.",
    ),
    examples=(
        passes("two disabilities", record({"disabilities": ["HAND", "HEAR"]})),
        fails("NONE and HEAR", record({"disabilities": ["NONE", "HEAR"]}), at=["/records/0/child/disabilities"]),
    ),
)
