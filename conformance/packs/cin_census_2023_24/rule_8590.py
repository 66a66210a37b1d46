"""cin/8590: every child has at least one CIN episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if not child_record.cin_episodes:
        yield Finding("/cin_episodes")


RULE = RecordRule(
    id="cin/8590",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child does not have a recorded CIN episode.",
    fields=("/cin_episodes",),
    check=_check,
    doc=RuleDoc(
        checks="Each child has at least one CINdetails group.",
        why="The census counts children in need through their episodes; a child without one should not be in it.",
        fix="Add the child's CIN episode, or remove the child from the return.",
    ),
    examples=(
        passes("one episode", record(cin_episodes=[episode()])),
        fails("no episode", record(), at=["/records/0/cin_episodes"]),
    ),
)
