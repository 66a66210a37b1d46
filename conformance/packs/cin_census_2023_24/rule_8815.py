"""cin/8815: a child has at most one open episode that is not a referral with no further action."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    open_ones = [
        index
        for index, item in enumerate(child_record.cin_episodes)
        if item.closure_date is None and item.referral_nfa is False
    ]
    if len(open_ones) > 1:
        for index in open_ones:
            yield Finding(f"/cin_episodes/{index}/closure_date")


RULE = RecordRule(
    id="cin/8815",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for this "
        "child and case is not a referral with no further action."
    ),
    fields=("/cin_episodes/*/closure_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "Among a child's CIN episodes, at most one has no CINclosureDate and ReferralNFA false. (Open referrals "
            "with no further action may be several.)"
        ),
        why="A child is in one episode of need at a time; two open ones double-count the child.",
        fix="Close the earlier episode, or merge the two.",
    ),
    examples=(
        passes(
            "one open",
            record(
                cin_episodes=[episode(referral_nfa=False), episode("E2", referral_nfa=False, closure_date="2023-06-01")]
            ),
        ),
        fails(
            "two open",
            record(cin_episodes=[episode(referral_nfa=False), episode("E2", referral_nfa=False)]),
            at=["/records/0/cin_episodes/0/closure_date", "/records/0/cin_episodes/1/closure_date"],
        ),
    ),
)
