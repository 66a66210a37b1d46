"""cin/4000: a referral with no further action has no CIN plan."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    nfa = {item.episode_id for item in child_record.cin_episodes if item.referral_nfa is True}
    for index, plan in enumerate(child_record.cin_plans):
        if plan.episode_id in nfa:
            yield Finding(f"/cin_plans/{index}")


RULE = RecordRule(
    id="cin/4000",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN Plan details provided for a referral with no further action",
    fields=("/cin_episodes/*/referral_nfa", "/cin_plans/*/episode_id"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="If ReferralNFA is true, the episode has no CINPlanDates module.",
        why="A referral with no further action did not lead to a plan.",
        fix="Set ReferralNFA to 0, or move the plan to the episode it belongs to.",
    ),
    examples=(
        passes(
            "further action with a plan", record(cin_episodes=[episode(referral_nfa=False)], cin_plans=[cin_plan()])
        ),
        fails(
            "NFA with a plan",
            record(cin_episodes=[episode(referral_nfa=True)], cin_plans=[cin_plan()]),
            at=["/records/0/cin_plans/0"],
        ),
    ),
)
