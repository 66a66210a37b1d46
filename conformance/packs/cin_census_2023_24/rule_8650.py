"""cin/8650: a primary need code is a DfE code."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import PRIMARY_NEEDS
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.primary_need is not None and item.primary_need not in PRIMARY_NEEDS:
            yield Finding(f"/cin_episodes/{index}/primary_need")


RULE = RecordRule(
    id="cin/8650",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Primary Need Code invalid (see Primary Need table in CIN census code set)",
    fields=("/cin_episodes/*/primary_need",),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If PrimaryNeedCode is present, it is N0-N9. (The CIN census reader also reports a code outside the "
            "schema's list, as xsd/enumeration, and keeps it as sent for this rule.)"
        ),
        why="Children in need are counted by primary need; an unknown code cannot be.",
        fix="Use a code from the Primary Need table.",
    ),
    examples=(
        passes("N4", record(cin_episodes=[episode(primary_need="N4")])),
        fails("N10", record(cin_episodes=[episode(primary_need="N10")]), at=["/records/0/cin_episodes/0/primary_need"]),
    ),
)
