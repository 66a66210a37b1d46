"""cin/8730: a child protection plan records the number of previous plans."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.previous_plans is None:
            yield Finding(f"/child_protection_plans/{index}/previous_plans")


RULE = RecordRule(
    id="cin/8730",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Total Number of previous Child Protection Plans missing",
    fields=("/child_protection_plans/*/previous_plans",),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks="Where a ChildProtectionPlans module is present, NumberOfPreviousCPP is present (0 or more).",
        why="Repeat child protection plans are a key indicator DfE reports.",
        fix="Record how many child protection plans the child had before this one (0 if none).",
    ),
    examples=(
        passes(
            "none before", record(child_protection_plans=[protection_plan(start_date="2023-06-01", previous_plans=0)])
        ),
        fails(
            "not recorded",
            record(child_protection_plans=[protection_plan(start_date="2023-06-01")]),
            at=["/records/0/child_protection_plans/0/previous_plans"],
        ),
    ),
)
