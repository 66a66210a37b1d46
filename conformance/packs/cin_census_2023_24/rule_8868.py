"""cin/8868: a closed episode's section 47 enquiries are completed (conference held or not required)."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    closed = {item.episode_id for item in child_record.cin_episodes if item.closure_date is not None}
    for index, part in enumerate(child_record.section47_enquiries):
        if part.episode_id in closed and part.icpc_date is None and part.icpc_not_required is not True:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/8868",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date or ICPC "
        "not required flag"
    ),
    fields=(
        "/cin_episodes/*/closure_date",
        "/section47_enquiries/*/icpc_date",
        "/section47_enquiries/*/icpc_not_required",
    ),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "If CINclosureDate is present, every section 47 enquiry of the episode has a DateOfInitialCPC or "
            "ICPCnotRequired true."
        ),
        why="A case is not closed with an enquiry's outcome unrecorded.",
        fix="Record the conference date, or that no conference was required.",
    ),
    examples=(
        passes(
            "not required",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                section47_enquiries=[section47(icpc_not_required=True)],
            ),
        ),
        fails(
            "no outcome",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                section47_enquiries=[section47(icpc_not_required=False)],
            ),
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
