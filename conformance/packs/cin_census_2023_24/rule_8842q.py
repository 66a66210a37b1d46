"""cin/8842Q: a review record has a date (judged by the schema check on CIN census files)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import protection_plan, record
from gateway import CheckContext, ChildRecord, NotEvaluated, Outcome, RecordRule, RuleDoc, passes

__all__ = ["RULE"]

_REASON = (
    "the canonical record keeps child protection review dates, not empty review groups; a Reviews group without "
    "a valid CPPreviewDate is reported by the reader (xsd/ or map/ issues)"
)


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if child_record.child_protection_plans:
        yield NotEvaluated(_REASON, "/child_protection_plans")


RULE = RecordRule(
    id="cin/8842Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Please check and either amend or provide a reason: Review Record has a missing date",
    fields=("/child_protection_plans/*/review_dates",),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "Where a Reviews group is present, a valid CPPreviewDate is present within it. The canonical model "
            "keeps only the dates, so this rule reports 'not evaluated' once per file with child protection plans; "
            "the CIN census reader reports an empty or unreadable review date itself (never a silent pass)."
        ),
        why="A review without a date cannot show that reviews happened on time.",
        fix="Record the date of each review, or remove the empty Reviews group.",
    ),
    examples=(
        passes("no child protection plan", record()),
        passes(
            "with a plan: judged by the reader", record(child_protection_plans=[protection_plan()]), not_evaluated=True
        ),
    ),
)
