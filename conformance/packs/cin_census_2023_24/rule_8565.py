"""cin/8565: nothing in a closed episode happens after its closure date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from conformance.census_examples import assessment, cin_plan, episode, protection_plan, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _activity(child_record: ChildRecord, episode_id: str) -> Iterator[date | None]:
    for part in child_record.assessments:
        if part.episode_id == episode_id:
            yield part.start_date
            yield part.authorised_date
    for enquiry in child_record.section47_enquiries:
        if enquiry.episode_id == episode_id:
            yield enquiry.start_date
            yield enquiry.icpc_date
    for plan in child_record.child_protection_plans:
        if plan.episode_id == episode_id:
            yield plan.end_date
    for cin in child_record.cin_plans:
        if cin.episode_id == episode_id:
            yield cin.start_date
            yield cin.end_date


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        closed = item.closure_date
        if closed is None:
            continue
        dates = [item.initial_cp_conference_date, *_activity(child_record, item.episode_id)]
        if any(day is not None and day > closed for day in dates):
            yield Finding(f"/cin_episodes/{index}/closure_date")


RULE = RecordRule(
    id="cin/8565",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Activity shown after a case has been closed",
    fields=(
        "/cin_episodes/*/closure_date",
        "/cin_episodes/*/initial_cp_conference_date",
        "/assessments/*/start_date",
        "/assessments/*/authorised_date",
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/child_protection_plans/*/end_date",
        "/cin_plans/*/start_date",
        "/cin_plans/*/end_date",
    ),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If CINclosureDate is present, it is on or after every date of the episode's work that is present: "
            "assessment start and authorisation, section 47 start and initial conference, the episode's initial "
            "conference, child protection plan end, CIN plan start and end."
        ),
        why="Work recorded after a case closed means the closure date is wrong or the work belongs to a later episode.",
        fix="Correct the closure date, or move the work to the episode it belongs to.",
    ),
    examples=(
        passes(
            "all work before closure",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                assessments=[assessment(start_date="2023-10-01", authorised_date="2023-12-01")],
            ),
        ),
        fails(
            "CIN plan ends after closure",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                cin_plans=[cin_plan(start_date="2023-10-01", end_date="2023-12-02")],
            ),
            at=["/records/0/cin_episodes/0/closure_date"],
        ),
        fails(
            "enquiry after closure",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                section47_enquiries=[section47(start_date="2023-12-05")],
                child_protection_plans=[protection_plan(end_date="2023-11-01")],
            ),
            at=["/records/0/cin_episodes/0/closure_date"],
        ),
    ),
)
