"""cin/8715: a section 47 initial conference falls within the census year."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_period
from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    held = [(index, part.icpc_date) for index, part in enumerate(child_record.section47_enquiries) if part.icpc_date]
    if not held:
        return
    period = census_period(context)
    if period is None:
        yield NO_REFERENCE_DATE
        return
    for index, day in held:
        if day is not None and not period[0] <= day <= period[1]:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/8715",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Date of Initial Child Protection Conference must fall within the census year",
    fields=("/section47_enquiries/*/icpc_date",),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="If present, a Section47 DateOfInitialCPC is within the census year (1 April to the ReferenceDate).",
        why="The census counts conferences held in the year.",
        fix="Correct the conference date, or leave out enquiries concluded before the census year.",
    ),
    examples=(
        passes("in the year", record(section47_enquiries=[section47(start_date="2023-05-01", icpc_date="2023-05-20")])),
        fails(
            "last year",
            record(section47_enquiries=[section47(start_date="2022-06-02", icpc_date="2022-06-17")]),
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
