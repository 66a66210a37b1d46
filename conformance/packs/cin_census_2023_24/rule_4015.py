"""cin/4015: a CIN plan does not start before the referral."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from conformance.census_examples import cin_plan, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    referred: dict[str | None, date | None] = {
        item.episode_id: item.referral_date for item in child_record.cin_episodes
    }
    for index, plan in enumerate(child_record.cin_plans):
        start, referral = plan.start_date, referred.get(plan.episode_id)
        if start is not None and referral is not None and start < referral:
            yield Finding(f"/cin_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/4015",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The CIN Plan start date cannot be before the referral date",
    fields=("/cin_plans/*/start_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="Where present, CINPlanStartDate is on or after the episode's CINreferralDate.",
        why="A plan follows the referral and assessment that led to it.",
        fix="Correct the plan's start date or the referral date.",
    ),
    examples=(
        passes(
            "after referral",
            record(cin_episodes=[episode(referral_date="2023-05-01")], cin_plans=[cin_plan(start_date="2023-06-01")]),
        ),
        fails(
            "before referral",
            record(cin_episodes=[episode(referral_date="2023-05-01")], cin_plans=[cin_plan(start_date="2023-04-01")]),
            at=["/records/0/cin_plans/0/start_date"],
        ),
    ),
)
