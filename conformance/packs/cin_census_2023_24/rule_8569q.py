"""cin/8569Q: an old referral (before the census year) is not flagged as no further action."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.calendar import subtract_working_days
from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    flagged = [
        (index, item)
        for index, item in enumerate(child_record.cin_episodes)
        if item.referral_nfa is True and item.referral_date is not None
    ]
    if not flagged:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    cutoff = subtract_working_days(period[0], 1)
    for index, item in flagged:
        if item.referral_date is not None and item.referral_date < cutoff:
            yield Finding(f"/cin_episodes/{index}/referral_nfa")


RULE = RecordRule(
    id="cin/8569Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "A case with referral date before one working day prior to the collection start date must not be flagged "
        "as a no further action case"
    ),
    fields=("/cin_episodes/*/referral_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If CINreferralDate is before the working day before the census year starts (1 April), ReferralNFA is "
            "not true. Working days exclude weekends and England's bank holidays."
        ),
        why="A referral decided before the census year would not be in this year's return if nothing further happened.",
        fix="Correct the referral date or the no-further-action flag.",
    ),
    examples=(
        passes(
            "NFA referral in the census year",
            record(cin_episodes=[episode(referral_date="2023-06-01", referral_nfa=True)]),
        ),
        passes(
            "NFA referral on the working day before the year",
            record(cin_episodes=[episode(referral_date="2023-03-31", referral_nfa=True)]),
        ),
        fails(
            "NFA referral from last year",
            record(cin_episodes=[episode(referral_date="2023-01-10", referral_nfa=True)]),
            at=["/records/0/cin_episodes/0/referral_nfa"],
        ),
    ),
)
