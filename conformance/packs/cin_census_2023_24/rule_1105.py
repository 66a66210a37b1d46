"""cin/1105: a child protection plan does not start before the referral."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from conformance.census_examples import episode, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    referred: dict[str | None, date | None] = {
        item.episode_id: item.referral_date for item in child_record.cin_episodes
    }
    for index, plan in enumerate(child_record.child_protection_plans):
        start, referral = plan.start_date, referred.get(plan.episode_id)
        if start is not None and referral is not None and start < referral:
            yield Finding(f"/child_protection_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/1105",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The child protection plan start date cannot be before the referral date",
    fields=("/child_protection_plans/*/start_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="Where present, CPPstartDate is on or after the episode's CINreferralDate.",
        why="A child protection plan follows the referral, enquiry and conference that led to it.",
        fix="Correct the plan's start date or the referral date.",
    ),
    examples=(
        passes(
            "after referral",
            record(
                cin_episodes=[episode(referral_date="2022-10-06")],
                child_protection_plans=[protection_plan(start_date="2022-12-06")],
            ),
        ),
        fails(
            "before referral",
            record(
                cin_episodes=[episode(referral_date="2022-10-06")],
                child_protection_plans=[protection_plan(start_date="2022-02-17")],
            ),
            at=["/records/0/child_protection_plans/0/start_date"],
        ),
    ),
)
