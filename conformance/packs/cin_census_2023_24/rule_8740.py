"""cin/8740: an enquiry still awaiting its conference started within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    waiting = [
        (index, part.start_date)
        for index, part in enumerate(child_record.section47_enquiries)
        if part.icpc_date is None and part.icpc_not_required is False and part.start_date is not None
    ]
    if not waiting:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, start in waiting:
        if start is not None and not period[0] <= start <= period[1]:
            yield Finding(f"/section47_enquiries/{index}/start_date")


RULE = RecordRule(
    id="cin/8740",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end of the "
        "census year, the start date must fall within the census year"
    ),
    fields=(
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/section47_enquiries/*/icpc_not_required",
    ),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "If a Section47 group has no DateOfInitialCPC and ICPCnotRequired is false, S47ActualStartDate is within "
            "the census year."
        ),
        why="An enquiry awaiting its conference since before the census year has lost its outcome.",
        fix="Record the conference date or ICPCnotRequired, or correct the start date.",
    ),
    examples=(
        passes(
            "started this year",
            record(section47_enquiries=[section47(start_date="2024-03-20", icpc_not_required=False)]),
        ),
        fails(
            "started last year",
            record(section47_enquiries=[section47(start_date="2023-02-01", icpc_not_required=False)]),
            at=["/records/0/section47_enquiries/0/start_date"],
        ),
    ),
)
