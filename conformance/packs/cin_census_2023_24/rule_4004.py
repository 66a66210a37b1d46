"""cin/4004: at most one open CIN plan per episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import by_episode
from conformance.census_examples import cin_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for group in by_episode(child_record.cin_plans).values():
        open_ones = [index for index, plan in group if plan.end_date is None]
        if len(open_ones) > 1:
            for index in open_ones:
                yield Finding(f"/cin_plans/{index}/end_date")


RULE = RecordRule(
    id="cin/4004",
    pack="cin-census-2023-24",
    strength="MUST",
    message="This child is showing more than one open CIN Plan, i.e. with no End Date",
    fields=("/cin_plans/*/end_date",),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks="Within one episode, at most one CINPlanDates group has no CINPlanEndDate.",
        why="A child has one CIN plan at a time.",
        fix="Record the end date of the earlier plan.",
    ),
    examples=(
        passes(
            "one open",
            record(
                cin_plans=[
                    cin_plan(start_date="2023-05-01", end_date="2023-06-01"),
                    cin_plan("N2", start_date="2023-07-01"),
                ]
            ),
        ),
        fails(
            "two open",
            record(cin_plans=[cin_plan(start_date="2023-05-01"), cin_plan("N2", start_date="2023-07-01")]),
            at=["/records/0/cin_plans/0/end_date", "/records/0/cin_plans/1/end_date"],
        ),
    ),
)
