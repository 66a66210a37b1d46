"""ics-1b/protection-plan-dates-ordered: a child protection plan ends after it starts; reviews fall within it."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(record.child_protection_plans):
        start, end = plan.start_date, plan.end_date
        if start is not None and end is not None and end < start:
            yield Finding(f"/child_protection_plans/{index}/end_date")
        for review_index, review in enumerate(plan.review_dates):
            if (start is not None and review < start) or (end is not None and review > end):
                yield Finding(f"/child_protection_plans/{index}/review_dates/{review_index}", "review outside the plan")


RULE = RecordRule(
    id="ics-1b/protection-plan-dates-ordered",
    pack="ics-1b",
    strength="MUST",
    message="the child protection plan's dates are out of order",
    fields=(
        "/child_protection_plans/*/start_date",
        "/child_protection_plans/*/end_date",
        "/child_protection_plans/*/review_dates",
    ),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "A child protection plan's end date is on or after its start date, and each review is held within the plan."
        ),
        why=(
            "Child protection plans replaced the child protection register on 1 April 2008; their dates are how "
            "agencies know whether a child is currently subject to a plan."
        ),
        fix="Correct the plan's start, end or review dates.",
    ),
    examples=(
        passes(
            "plan with a review inside it",
            {
                "child": _CHILD,
                "child_protection_plans": [
                    {
                        "plan_id": "P1",
                        "start_date": "2024-01-10",
                        "end_date": "2024-09-01",
                        "review_dates": ["2024-04-01"],
                    }
                ],
            },
        ),
        fails(
            "ends before it starts",
            {
                "child": _CHILD,
                "child_protection_plans": [{"plan_id": "P1", "start_date": "2024-01-10", "end_date": "2024-01-01"}],
            },
            at=["/records/0/child_protection_plans/0/end_date"],
        ),
        fails(
            "review before the plan",
            {
                "child": _CHILD,
                "child_protection_plans": [
                    {"plan_id": "P1", "start_date": "2024-01-10", "review_dates": ["2023-12-01"]}
                ],
            },
            at=["/records/0/child_protection_plans/0/review_dates/0"],
        ),
    ),
)
