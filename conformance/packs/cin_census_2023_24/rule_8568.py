"""cin/8568: every episode says whether the referral led to no further action."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.referral_nfa is None:
            yield Finding(f"/cin_episodes/{index}/referral_nfa")


RULE = RecordRule(
    id="cin/8568",
    pack="cin-census-2023-24",
    strength="MUST",
    message="RNFA flag is missing or invalid",
    fields=("/cin_episodes/*/referral_nfa",),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="ReferralNFA is present and a valid yes/no value (true/false or 1/0; only 1/0 from 2024-25).",
        why="Whether a referral led to further action decides which other rules and statistics apply to the episode.",
        fix="Set ReferralNFA to 1 for a referral with no further action, 0 otherwise.",
    ),
    examples=(
        passes("flag given", record(cin_episodes=[episode(referral_nfa=False)])),
        fails("flag missing", record(cin_episodes=[episode()]), at=["/records/0/cin_episodes/0/referral_nfa"]),
    ),
)
