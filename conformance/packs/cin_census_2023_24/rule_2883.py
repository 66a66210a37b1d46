"""cin/2883: no more child protection plans start than initial conferences are held (LA level)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census import census_period
from conformance.census_examples import episode, protection_plan, record, section47
from gateway import (
    CheckContext,
    ChildRecord,
    Entry,
    Finding,
    NotEvaluated,
    Outcome,
    RuleDoc,
    SubmissionRule,
    fails,
    passes,
)

__all__ = ["RULE"]


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    for index, plan in enumerate(child_record.child_protection_plans):
        if plan.start_date is not None:
            yield f"/child_protection_plans/{index}/start_date", ("plan", plan.start_date)
    for index, item in enumerate(child_record.cin_episodes):
        if item.initial_cp_conference_date is not None:
            yield f"/cin_episodes/{index}/initial_cp_conference_date", ("conference", item.initial_cp_conference_date)
    for index, part in enumerate(child_record.section47_enquiries):
        if part.icpc_date is not None:
            yield f"/section47_enquiries/{index}/icpc_date", ("conference", part.icpc_date)


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    if not entries:
        return
    period = census_period(context)
    if period is None:
        yield NotEvaluated("the submission declares no census reference date or census year")
        return
    within = [entry.value[0] for entry in entries if period[0] <= entry.value[1] <= period[1]]
    if within.count("plan") > within.count("conference"):
        yield Finding("")


RULE = SubmissionRule(
    id="cin/2883",
    pack="cin-census-2023-24",
    strength="MUST",
    message="There are more child protection plans starting than initial conferences taking place",
    fields=(
        "/child_protection_plans/*/start_date",
        "/cin_episodes/*/initial_cp_conference_date",
        "/section47_enquiries/*/icpc_date",
    ),
    summarise=_summarise,
    judge=_judge,
    located=False,
    doc=RuleDoc(
        checks=(
            "Across the LA's return, the CPPstartDates within the census year are no more than the DateOfInitialCPCs "
            "within the census year, counted in CINdetails and Section47 together."
        ),
        why=(
            "Every child protection plan starts at an initial conference; more plans than conferences means missing "
            "conferences."
        ),
        fix="Record the initial conferences at which the plans were made.",
    ),
    examples=(
        passes(
            "a plan from its conference",
            record(
                cin_episodes=[episode()],
                section47_enquiries=[section47(icpc_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01")],
            ),
        ),
        fails(
            "a plan without a conference",
            record(cin_episodes=[episode()], child_protection_plans=[protection_plan(start_date="2023-06-01")]),
            at=[""],
        ),
    ),
)
