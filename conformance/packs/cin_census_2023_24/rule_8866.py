"""cin/8866: a referral since April 2013 has a valid source of referral."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from conformance.census import REFERRAL_SOURCES
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_FROM: Final = date(2013, 4, 1)


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if (
            item.referral_date is not None
            and item.referral_date >= _FROM
            and item.referral_source not in REFERRAL_SOURCES
        ):
            yield Finding(f"/cin_episodes/{index}/referral_source")


RULE = RecordRule(
    id="cin/8866",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Source of Referral is missing or an invalid code",
    fields=("/cin_episodes/*/referral_date", "/cin_episodes/*/referral_source"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If CINreferralDate is on or after 1 April 2013, ReferralSource is present and a valid code (1A ... 10)."
        ),
        why="DfE counts referrals by who made them (schools, police, health ...).",
        fix="Record the source of the referral from the DfE table.",
    ),
    examples=(
        passes("police referral", record(cin_episodes=[episode(referral_date="2023-06-01", referral_source="2A")])),
        passes("before April 2013", record(cin_episodes=[episode(referral_date="2012-06-01")])),
        fails(
            "missing",
            record(cin_episodes=[episode(referral_date="2023-06-01")]),
            at=["/records/0/cin_episodes/0/referral_source"],
        ),
    ),
)
