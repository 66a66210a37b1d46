"""cin/8606: a referral is not more than 40 weeks before the (expected) birth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_FORTY_WEEKS = timedelta(days=280)


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    births = [day for day in (child.birth_date, child.expected_birth_date) if day is not None]
    if not births:
        return
    for index, item in enumerate(child_record.cin_episodes):
        referred = item.referral_date
        if referred is not None and any(born - referred > _FORTY_WEEKS for born in births):
            yield Finding(f"/cin_episodes/{index}/referral_date")


RULE = RecordRule(
    id="cin/8606",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child referral date is more than 40 weeks before DOB or expected DOB",
    fields=("/cin_episodes/*/referral_date", "/child/birth_date", "/child/expected_birth_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="No CINreferralDate is more than 280 days before PersonBirthDate or ExpectedPersonBirthDate.",
        why="A referral cannot precede the pregnancy; such dates are typing errors.",
        fix="Correct the referral date or the (expected) birth date.",
    ),
    examples=(
        passes(
            "pre-birth referral",
            record({"birth_date": "2023-10-01"}, cin_episodes=[episode(referral_date="2023-05-01")]),
        ),
        fails(
            "a year before birth",
            record({"birth_date": "2023-10-01"}, cin_episodes=[episode(referral_date="2022-10-01")]),
            at=["/records/0/cin_episodes/0/referral_date"],
        ),
    ),
)
