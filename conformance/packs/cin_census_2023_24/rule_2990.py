"""cin/2990: an episode closed after assessment (RC8/RC9) has no further activity."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_reason not in ("RC8", "RC9"):
            continue
        own = item.episode_id
        if (
            item.initial_cp_conference_date is not None
            or any(part.episode_id == own for part in child_record.section47_enquiries)
            or any(part.episode_id == own for part in child_record.child_protection_plans)
            or any(part.episode_id == own for part in child_record.cin_plans)
        ):
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/2990",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "Activity is recorded against a case marked as ‘Case closed after assessment, no further action’ or 'case "
        "closed after assessment, referred to early help'."
    ),
    fields=("/cin_episodes/*/closure_reason", "/section47_enquiries", "/child_protection_plans", "/cin_plans"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "An episode whose ReasonForClosure is RC8 or RC9 has no Section47, ChildProtectionPlans or CINPlanDates "
            "module and no DateOfInitialCPC."
        ),
        why="RC8/RC9 mean the case closed after assessment; enquiries or plans show it did not.",
        fix="Correct the reason for closure, or move the later work to the episode it belongs to.",
    ),
    examples=(
        passes("RC8 with no further work", record(cin_episodes=[episode(closure_reason="RC8")])),
        fails(
            "RC9 with a CIN plan",
            record(cin_episodes=[episode(closure_reason="RC9")], cin_plans=[cin_plan()]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
        fails(
            "RC8 with a section 47",
            record(cin_episodes=[episode(closure_reason="RC8")], section47_enquiries=[section47()]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
    ),
)
