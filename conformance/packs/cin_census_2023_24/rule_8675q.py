"""cin/8675Q: a section 47 enquiry awaiting its conference has not run more than 15 working days."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.calendar import add_working_days
from conformance.census import NO_REFERENCE_DATE, census_reference
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
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
        return
    for index, start in waiting:
        if start is not None and add_working_days(start, 15) < reference:
            yield Finding(f"/section47_enquiries/{index}/start_date")


RULE = RecordRule(
    id="cin/8675Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: S47 Enquiry started more than 15 working days "
        "before the end of the census year. However, there is no date of Initial Child Protection Conference."
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
            "If DateOfInitialCPC is missing and ICPCnotRequired is false, S47ActualStartDate is not more than 15 "
            "working days before the ReferenceDate (England's bank holidays excluded)."
        ),
        why="An initial child protection conference should be held within 15 working days of the strategy discussion.",
        fix="Record the conference date, or that a conference was not required.",
    ),
    examples=(
        passes(
            "started last week",
            record(section47_enquiries=[section47(start_date="2024-03-25", icpc_not_required=False)]),
        ),
        fails(
            "started in January",
            record(section47_enquiries=[section47(start_date="2024-01-08", icpc_not_required=False)]),
            at=["/records/0/section47_enquiries/0/start_date"],
        ),
    ),
)
