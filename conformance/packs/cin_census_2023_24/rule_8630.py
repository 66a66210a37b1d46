"""cin/8630: an episode does not close before it was referred."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_date is not None and item.referral_date is not None and item.closure_date < item.referral_date:
            yield Finding(f"/cin_episodes/{index}/closure_date")


RULE = RecordRule(
    id="cin/8630",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Closure Date is before CIN Referral Date for the same CIN episode",
    fields=("/cin_episodes/*/closure_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If CINclosureDate is present, it is on or after the episode's CINreferralDate.",
        why="An episode cannot end before it began.",
        fix="Correct the referral or closure date.",
    ),
    examples=(
        passes("same day", record(cin_episodes=[episode(referral_date="2023-06-01", closure_date="2023-06-01")])),
        fails(
            "closed first",
            record(cin_episodes=[episode(referral_date="2023-06-01", closure_date="2023-05-01")]),
            at=["/records/0/cin_episodes/0/closure_date"],
        ),
    ),
)
