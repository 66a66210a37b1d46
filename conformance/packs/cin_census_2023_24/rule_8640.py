"""cin/8640: a reason for closure is a DfE code."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import REASONS_FOR_CLOSURE
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_reason is not None and item.closure_reason not in REASONS_FOR_CLOSURE:
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/8640",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
    fields=("/cin_episodes/*/closure_reason",),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If ReasonForClosure is present, it is RC1-RC9. (The CIN census reader also reports a code outside "
            "the schema's list, as xsd/enumeration, and keeps it as sent for this rule.)"
        ),
        why="Closure reasons are counted by DfE; an unknown code cannot be.",
        fix="Use a code from the Reason for Closure table.",
    ),
    examples=(
        passes("RC1", record(cin_episodes=[episode(closure_reason="RC1")])),
        fails(
            "RC0", record(cin_episodes=[episode(closure_reason="RC0")]), at=["/records/0/cin_episodes/0/closure_reason"]
        ),
    ),
)
