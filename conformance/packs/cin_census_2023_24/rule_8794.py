"""cin/8794: a disability code is not recorded twice for one child."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    codes = child_record.child.disabilities
    if len(set(codes)) < len(codes):
        yield Finding("/child/disabilities")


RULE = RecordRule(
    id="cin/8794",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child has two or more disabilities with the same code",
    fields=("/child/disabilities",),
    check=_check,
    doc=RuleDoc(
        checks="No Disability code appears more than once for a child.",
        why="Repeated codes inflate the census's disability statistics.",
        fix="Record each disability code once.",
    ),
    examples=(
        passes("distinct codes", record({"disabilities": ["HAND", "HEAR"]})),
        fails("HEAR twice", record({"disabilities": ["HEAR", "HEAR"]}), at=["/records/0/child/disabilities"]),
    ),
)
