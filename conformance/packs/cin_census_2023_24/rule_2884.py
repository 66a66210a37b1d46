"""cin/2884: an initial conference is recorded in the section 47 module or the episode, not both."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    episode_level = {
        item.initial_cp_conference_date for item in child_record.cin_episodes if item.initial_cp_conference_date
    }
    if not episode_level:
        return
    for index, part in enumerate(child_record.section47_enquiries):
        if part.icpc_date in episode_level:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/2884",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "An initial child protection conference is recorded at both the S47 and CIN Details level and it should "
        "only be recorded in one"
    ),
    fields=("/section47_enquiries/*/icpc_date", "/cin_episodes/*/initial_cp_conference_date"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "No DateOfInitialCPC of a Section47 module equals a DateOfInitialCPC recorded at CINdetails level for "
            "the same child."
        ),
        why="The census counts conferences; one recorded twice is counted twice.",
        fix=(
            "Record the conference in the Section47 module when it followed an enquiry in the year, otherwise in "
            "CINdetails."
        ),
    ),
    examples=(
        passes(
            "recorded once", record(cin_episodes=[episode()], section47_enquiries=[section47(icpc_date="2023-06-01")])
        ),
        fails(
            "recorded twice",
            record(
                cin_episodes=[episode(initial_cp_conference_date="2023-06-01")],
                section47_enquiries=[section47(icpc_date="2023-06-01")],
            ),
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
