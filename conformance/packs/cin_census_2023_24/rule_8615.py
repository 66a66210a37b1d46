"""cin/8615: a section 47 enquiry with a conference has a start date on or before it."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.section47_enquiries):
        if part.icpc_date is not None and (part.start_date is None or part.start_date > part.icpc_date):
            yield Finding(f"/section47_enquiries/{index}/start_date")


RULE = RecordRule(
    id="cin/8615",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial Child "
        "Protection Conference"
    ),
    fields=("/section47_enquiries/*/start_date", "/section47_enquiries/*/icpc_date"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "Within a Section47 group, if DateOfInitialCPC is present, S47ActualStartDate is present and on or before "
            "it."
        ),
        why="The conference is the outcome of the enquiry, which must have started first.",
        fix="Record the enquiry's start date; correct either date if they are reversed.",
    ),
    examples=(
        passes("in order", record(section47_enquiries=[section47(start_date="2022-06-02", icpc_date="2022-06-17")])),
        fails(
            "no start",
            record(section47_enquiries=[section47(icpc_date="2022-06-17")]),
            at=["/records/0/section47_enquiries/0/start_date"],
        ),
    ),
)
