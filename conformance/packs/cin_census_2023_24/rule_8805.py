"""cin/8805: a closed episode has a reason for closure."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_date is not None and item.closure_reason is None:
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/8805",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CIN case cannot have a CIN closure date without a Reason for Closure",
    fields=("/cin_episodes/*/closure_date", "/cin_episodes/*/closure_reason"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If CINclosureDate is present, ReasonForClosure is present. (A reason the reader could not read - not "
            "a DfE code - is reported by the reader and counts as absent here.)"
        ),
        why="Every closed episode is counted by its reason for closure.",
        fix="Record why the case closed (RC1-RC9).",
    ),
    examples=(
        passes("closed with a reason", record(cin_episodes=[episode(closure_date="2023-12-01", closure_reason="RC1")])),
        fails(
            "closed, no reason",
            record(cin_episodes=[episode(closure_date="2023-12-01")]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
    ),
)
