"""cin/8875: an initial conference is not held at a weekend."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.section47_enquiries):
        if part.icpc_date is not None and part.icpc_date.weekday() >= 5:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/8875",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The Date of Initial Child Protection Conference cannot be a weekend",
    fields=("/section47_enquiries/*/icpc_date",),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="Where present, a Section47 DateOfInitialCPC is not a Saturday or Sunday.",
        why="Conferences are not held at weekends; a weekend date is a recording error.",
        fix="Correct the conference date.",
    ),
    examples=(
        passes("a Friday", record(section47_enquiries=[section47(icpc_date="2022-06-17")])),
        fails(
            "a Sunday",
            record(section47_enquiries=[section47(icpc_date="2022-06-19")]),
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
