"""cin/8810: a reason for closure comes with a closure date."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_reason is not None and item.closure_date is None:
            yield Finding(f"/cin_episodes/{index}/closure_date")


RULE = RecordRule(
    id="cin/8810",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    fields=("/cin_episodes/*/closure_reason", "/cin_episodes/*/closure_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If ReasonForClosure is present, CINclosureDate is present.",
        why="A reason for closure on an open episode contradicts itself.",
        fix="Record the closure date, or remove the reason if the case is still open.",
    ),
    examples=(
        passes("open, no reason", record(cin_episodes=[episode()])),
        fails(
            "reason, no date",
            record(cin_episodes=[episode(closure_reason="RC1")]),
            at=["/records/0/cin_episodes/0/closure_date"],
        ),
    ),
)
