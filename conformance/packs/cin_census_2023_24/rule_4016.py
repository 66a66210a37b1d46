"""cin/4016: a CIN plan does not start while a child protection plan is open."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import cin_plan, protection_plan, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    protections = [(plan.start_date, plan.end_date) for plan in child_record.child_protection_plans if plan.start_date]
    if not protections or not child_record.cin_plans:
        return
    reference = census_reference(context)
    for index, plan in enumerate(child_record.cin_plans):
        start = plan.start_date
        if start is None:
            continue
        for cp_start, cp_end in protections:
            if cp_start is None or start < cp_start:
                continue
            if cp_end is None and reference is None:
                yield NO_REFERENCE_DATE
                return
            if (cp_end is not None and start < cp_end) or (
                cp_end is None and reference is not None and start <= reference
            ):
                yield Finding(f"/cin_plans/{index}/start_date")
                break


RULE = RecordRule(
    id="cin/4016",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A CIN Plan has been reported as open at the same time as a Child Protection Plan.",
    fields=("/cin_plans/*/start_date", "/child_protection_plans/*/start_date", "/child_protection_plans/*/end_date"),
    check=_check,
    applies_to=("cin_plans",),
    doc=RuleDoc(
        checks=(
            "No CINPlanStartDate falls on or after a CPPstartDate and before that plan's CPPendDate (or on or before "
            "the ReferenceDate when it has no end). A CIN plan may start the day a child protection plan ends."
        ),
        why="A child is on a child protection plan or a CIN plan, not both.",
        fix="Correct the plans' dates so the CIN plan starts when the child protection plan ends.",
    ),
    examples=(
        passes(
            "CIN plan when the protection plan ends",
            record(
                child_protection_plans=[protection_plan(start_date="2023-05-01", end_date="2023-08-01")],
                cin_plans=[cin_plan(start_date="2023-08-01")],
            ),
        ),
        fails(
            "CIN plan during the protection plan",
            record(
                child_protection_plans=[protection_plan(start_date="2023-05-01", end_date="2023-08-01")],
                cin_plans=[cin_plan(start_date="2023-07-01")],
            ),
            at=["/records/0/cin_plans/0/start_date"],
        ),
    ),
)
