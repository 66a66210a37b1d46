"""cin/8816: an open episode (not no-further-action) is the child's latest episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    dates = [item.referral_date for item in child_record.cin_episodes if item.referral_date is not None]
    if len(dates) < 2:
        return
    latest = max(dates)
    for index, item in enumerate(child_record.cin_episodes):
        is_open = item.closure_date is None and item.referral_nfa is False
        if is_open and item.referral_date is not None and item.referral_date < latest:
            yield Finding(f"/cin_episodes/{index}/referral_date")


RULE = RecordRule(
    id="cin/8816",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "An open CIN episode is shown and case is not a referral with no further action, but it is not the latest "
        "episode."
    ),
    fields=("/cin_episodes/*/referral_date", "/cin_episodes/*/closure_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If an episode has no CINclosureDate and ReferralNFA false, its CINreferralDate is the latest of all the "
            "child's referral dates."
        ),
        why="A later referral means the earlier episode should have been closed.",
        fix="Close the earlier episode at the date it ended.",
    ),
    examples=(
        passes(
            "the open one is the latest",
            record(
                cin_episodes=[
                    episode(referral_date="2023-01-01", closure_date="2023-03-01"),
                    episode("E2", referral_date="2023-06-01", referral_nfa=False),
                ]
            ),
        ),
        fails(
            "an older one left open",
            record(
                cin_episodes=[
                    episode(referral_date="2023-01-01", referral_nfa=False),
                    episode("E2", referral_date="2023-06-01", closure_date="2023-07-01"),
                ]
            ),
            at=["/records/0/cin_episodes/0/referral_date"],
        ),
    ),
)
