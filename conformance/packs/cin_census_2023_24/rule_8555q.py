"""cin/8555Q: a child is not referred after their recorded date of death."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    died = child_record.child.death_date
    if died is None:
        return
    for index, item in enumerate(child_record.cin_episodes):
        if item.referral_date is not None and item.referral_date > died:
            yield Finding(f"/cin_episodes/{index}/referral_date")


RULE = RecordRule(
    id="cin/8555Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Child cannot be referred after its recorded date of death",
    fields=("/child/death_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If PersonDeathDate is present, every CINreferralDate is on or before it.",
        why="A referral after death shows a wrong date or a record of another child.",
        fix="Correct the referral date or the date of death.",
    ),
    examples=(
        passes(
            "referred before death",
            record({"death_date": "2023-12-01"}, cin_episodes=[episode(referral_date="2023-06-01")]),
        ),
        fails(
            "referred after death",
            record({"death_date": "2023-12-01"}, cin_episodes=[episode(referral_date="2024-01-02")]),
            at=["/records/0/cin_episodes/0/referral_date"],
        ),
    ),
)
