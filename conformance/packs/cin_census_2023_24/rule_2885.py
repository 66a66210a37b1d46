"""cin/2885: a child protection plan starts on the day of an initial conference."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import episode, protection_plan, record, section47
from gateway import CheckContext, ChildRecord, CinEpisode, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    plans = [(index, plan) for index, plan in enumerate(child_record.child_protection_plans) if plan.start_date]
    if not plans:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    episodes: dict[str | None, CinEpisode] = {item.episode_id: item for item in child_record.cin_episodes}
    for index, plan in plans:
        start = plan.start_date
        if start is None or not period[0] <= start <= period[1]:
            continue
        enquiries = [part for part in child_record.section47_enquiries if part.episode_id == plan.episode_id]
        if enquiries:
            conferences = {part.icpc_date for part in enquiries if part.icpc_not_required is not True}
        else:
            item = episodes.get(plan.episode_id)
            conferences = {item.initial_cp_conference_date} if item is not None else set()
        if start not in conferences:
            yield Finding(f"/child_protection_plans/{index}/start_date")


RULE = RecordRule(
    id="cin/2885",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child protection plan shown as starting a different day to the initial child protection conference.",
    fields=(
        "/child_protection_plans/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/cin_episodes/*/initial_cp_conference_date",
    ),
    check=_check,
    applies_to=("child_protection_plans",),
    doc=RuleDoc(
        checks=(
            "A CPPstartDate within the census year equals a DateOfInitialCPC of a Section47 module of the same episode "
            "(one where a conference was required), or - when the episode has no Section47 - the episode's own "
            "DateOfInitialCPC."
        ),
        why="A child protection plan is made at the initial child protection conference, on that day.",
        fix="Correct the plan's start date or the conference date so that they agree.",
    ),
    examples=(
        passes(
            "same day as the section 47 conference",
            record(
                cin_episodes=[episode()],
                section47_enquiries=[section47(icpc_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01")],
            ),
        ),
        passes(
            "same day as the episode's conference",
            record(
                cin_episodes=[episode(initial_cp_conference_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-01")],
            ),
        ),
        fails(
            "a day later",
            record(
                cin_episodes=[episode()],
                section47_enquiries=[section47(icpc_date="2023-06-01")],
                child_protection_plans=[protection_plan(start_date="2023-06-02")],
            ),
            at=["/records/0/child_protection_plans/0/start_date"],
        ),
    ),
)
