"""cin/4017: a child protection plan does not start while a CIN plan is open."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import cin_plan, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    cin_spans = [(plan.start_date, plan.end_date) for plan in child_record.cin_plans if plan.start_date]
    if not cin_spans or not child_record.child_protection_plans:
        return
    reference = census_reference(context)
    for index, plan in enumerate(child_record.child_protection_plans):
        start = plan.start_date
        if start is None:
            continue
        for cin_start, cin_end in cin_spans:
            if cin_start is None or start < cin_start:
                continue
            if cin_end is None and reference is None:
                yield NO_REFERENCE_DATE
                return
            if (cin_end is not None and start < cin_end) or (
                cin_end is None and reference is not None and start <= reference
            ):
                yield Finding(f"/child_protection_plans/{index}/start_date")
                break


RULE = RecordRule(
    id="cin/4017",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
    fields=("/child_protection_plans/*/start_date", "/cin_plans/*/start_date", "/cin_plans/*/end_date"),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "No CPPstartDate falls on or after a CINPlanStartDate and before that plan's CINPlanEndDate (or on or "
            "before the ReferenceDate when it has no end). A protection plan may start the day a CIN plan ends."
        ),
        why="When a child protection plan starts, the CIN plan ends.",
        fix="End the CIN plan on the day the child protection plan starts.",
    ),
    examples=(
        passes(
            "protection plan when the CIN plan ends",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01", end_date="2023-08-01")],
                child_protection_plans=[protection_plan(start_date="2023-08-01")],
            ),
        ),
        fails(
            "protection plan during an open CIN plan",
            record(
                cin_plans=[cin_plan(start_date="2023-05-01")],
                child_protection_plans=[protection_plan(start_date="2023-07-01")],
            ),
            at=["/records/0/child_protection_plans/0/start_date"],
        ),
    ),
)
