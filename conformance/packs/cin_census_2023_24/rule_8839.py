"""cin/8839: at most one open section 47 enquiry per episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import by_episode
from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for group in by_episode(child_record.section47_enquiries).values():
        open_ones = [index for index, part in group if part.icpc_date is None and part.icpc_not_required is not True]
        if len(open_ones) > 1:
            for index in open_ones:
                yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/8839",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Within one CINDetails group there are 2 or more open S47 Assessments",
    fields=("/section47_enquiries/*/icpc_date", "/section47_enquiries/*/icpc_not_required"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "Within one episode, at most one Section47 group has no DateOfInitialCPC and ICPCnotRequired not true."
        ),
        why="One episode has one enquiry under way at a time.",
        fix="Record the outcome (conference date or not required) of the enquiries that are finished.",
    ),
    examples=(
        passes("one open", record(section47_enquiries=[section47(icpc_date="2023-05-20"), section47("S2")])),
        fails(
            "two open",
            record(section47_enquiries=[section47(icpc_not_required=False), section47("S2")]),
            at=["/records/0/section47_enquiries/0/icpc_date", "/records/0/section47_enquiries/1/icpc_date"],
        ),
    ),
)
