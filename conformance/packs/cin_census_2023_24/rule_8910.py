"""cin/8910: a child protection plan has a valid latest category of abuse."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import CATEGORIES_OF_ABUSE
from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.latest_category not in CATEGORIES_OF_ABUSE:
            yield Finding(f"/child_protection_plans/{index}/latest_category")


RULE = RecordRule(
    id="cin/8910",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
    fields=("/child_protection_plans/*/latest_category",),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "Where a ChildProtectionPlans module is present, LatestCategoryOfAbuse is present and one of NEG, "
            "PHY, SAB, EMO, MUL "
            "(a code the reader could not read counts as missing)."
        ),
        why="Child protection plans are reported by category of abuse.",
        fix="Record the latest category of abuse from the DfE table.",
    ),
    examples=(
        passes("neglect", record(child_protection_plans=[protection_plan(latest_category="NEG")])),
        fails(
            "missing",
            record(child_protection_plans=[protection_plan()]),
            at=["/records/0/child_protection_plans/0/latest_category"],
        ),
        fails(
            "not a DfE code",
            record(child_protection_plans=[protection_plan(latest_category="ABC")]),
            at=["/records/0/child_protection_plans/0/latest_category"],
        ),
    ),
)
