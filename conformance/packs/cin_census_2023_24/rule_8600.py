"""cin/8600: an episode has a referral date, not after the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    reference = None
    for index, item in enumerate(child_record.cin_episodes):
        if item.referral_date is None:
            yield Finding(f"/cin_episodes/{index}/referral_date")
            continue
        reference = reference or census_reference(context)
        if reference is None:
            yield NO_REFERENCE_DATE
            return
        if item.referral_date > reference:
            yield Finding(f"/cin_episodes/{index}/referral_date")


RULE = RecordRule(
    id="cin/8600",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child referral date missing or after data collection period",
    fields=("/cin_episodes/*/referral_date",),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="Every CIN episode has a CINreferralDate on or before the ReferenceDate.",
        why=(
            "The referral date starts the episode; without it, or after the census year, the episode cannot be counted."
        ),
        fix="Record the referral date; check the year.",
    ),
    examples=(
        passes("referred in the year", record(cin_episodes=[episode(referral_date="2023-06-01")])),
        fails("missing", record(cin_episodes=[episode()]), at=["/records/0/cin_episodes/0/referral_date"]),
        fails(
            "after the census year",
            record(cin_episodes=[episode(referral_date="2024-04-02")]),
            at=["/records/0/cin_episodes/0/referral_date"],
        ),
    ),
)
