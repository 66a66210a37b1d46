"""cin/4001: an open CIN plan does not run alongside an open child protection plan in the same episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import cin_plan, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    open_protection = {plan.episode_id for plan in child_record.child_protection_plans if plan.end_date is None}
    for index, plan in enumerate(child_record.cin_plans):
        if plan.end_date is None and plan.episode_id in open_protection:
            yield Finding(f"/cin_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/4001",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CIN Plan cannot run concurrently with a Child Protection Plan",
    fields=("/cin_plans/*/end_date", "/child_protection_plans/*/end_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks=(
            "If an episode has a child protection plan with no CPPendDate, it has no CIN plan with no CINPlanEndDate."
        ),
        why="A child on a child protection plan is not also on a CIN plan; the CIN plan should have ended.",
        fix="Record the end date of the CIN plan (usually the day the child protection plan started).",
    ),
    examples=(
        passes(
            "CIN plan ended",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01", end_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01")],
            ),
        ),
        fails(
            "both open",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01")],
            ),
            at=["/records/0/cin_plans/0/end_date"],
        ),
    ),
)
