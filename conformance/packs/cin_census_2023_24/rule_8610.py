"""cin/8610: a referral that led to further action has a primary need code."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.referral_nfa is False and item.primary_need is None:
            yield Finding(f"/cin_episodes/{index}/primary_need")


RULE = RecordRule(
    id="cin/8610",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Primary Need code is missing for a referral which led to further action.",
    fields=("/cin_episodes/*/referral_nfa", "/cin_episodes/*/primary_need"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If ReferralNFA is false (0), PrimaryNeedCode is present (a code the reader could not read counts as "
            "missing)."
        ),
        why="The primary need is why the child is in need; DfE's statistics by need depend on it.",
        fix="Record the child's primary need (N1-N9, N0).",
    ),
    examples=(
        passes("need recorded", record(cin_episodes=[episode(referral_nfa=False, primary_need="N1")])),
        passes("no further action", record(cin_episodes=[episode(referral_nfa=True)])),
        fails(
            "need missing",
            record(cin_episodes=[episode(referral_nfa=False)]),
            at=["/records/0/cin_episodes/0/primary_need"],
        ),
    ),
)
