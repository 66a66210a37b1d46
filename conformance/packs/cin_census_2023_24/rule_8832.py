"""cin/8832: a referral with no further action has no child protection plan."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    nfa = {item.episode_id for item in child_record.cin_episodes if item.referral_nfa is True}
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.episode_id in nfa:
            yield Finding(f"/child_protection_plans/{index}")


RULE = RecordRule(
    id="cin/8832",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child Protection details provided for a referral with no further action.",
    fields=("/cin_episodes/*/referral_nfa", "/child_protection_plans/*/episode_id"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="If ReferralNFA is true, the episode has no ChildProtectionPlans module.",
        why="A referral with no further action did not lead to a child protection plan.",
        fix="Set ReferralNFA to 0, or move the plan to the episode it belongs to.",
    ),
    examples=(
        passes(
            "further action",
            record(cin_episodes=[episode(referral_nfa=False)], child_protection_plans=[protection_plan()]),
        ),
        fails(
            "NFA with a plan",
            record(cin_episodes=[episode(referral_nfa=True)], child_protection_plans=[protection_plan()]),
            at=["/records/0/child_protection_plans/0"],
        ),
    ),
)
