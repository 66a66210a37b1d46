"""cin/8820: a child's CIN episodes do not overlap."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    episodes = child_record.cin_episodes
    if len(episodes) < 2:
        return
    reference = census_reference(context)
    for index, item in enumerate(episodes):
        start = item.referral_date
        if start is None:
            continue
        for other_index, other in enumerate(episodes):
            if other_index == index or other.referral_date is None or start < other.referral_date:
                continue
            if other.closure_date is not None:
                overlaps = start < other.closure_date
            elif other.referral_nfa is False:
                if reference is None:
                    yield NO_REFERENCE_DATE
                    return
                overlaps = start < reference
            else:
                overlaps = False
            if overlaps:
                yield Finding(f"/cin_episodes/{index}/referral_date")
                break


RULE = RecordRule(
    id="cin/8820",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The dates on the CIN episodes for this child overlap",
    fields=("/cin_episodes/*/referral_date", "/cin_episodes/*/closure_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "No episode's CINreferralDate falls on or after another episode's referral date and before that "
            "episode's closure date (or, when it is open and not a no-further-action referral, before the "
            "ReferenceDate). One episode may start the day the previous one closed."
        ),
        why="A child is in one episode of need at a time.",
        fix="Correct the referral or closure dates, or merge the overlapping episodes.",
    ),
    examples=(
        passes(
            "back to back",
            record(
                cin_episodes=[
                    episode(referral_date="2023-05-01", closure_date="2023-06-01"),
                    episode("E2", referral_date="2023-06-01"),
                ]
            ),
        ),
        fails(
            "second inside the first",
            record(
                cin_episodes=[
                    episode(referral_date="2023-05-01", closure_date="2023-08-01"),
                    episode("E2", referral_date="2023-06-01"),
                ]
            ),
            at=["/records/0/cin_episodes/1/referral_date"],
        ),
    ),
)
