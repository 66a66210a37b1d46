"""cin/8870Q: the target date of an initial conference is not a weekend."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, part in enumerate(child_record.section47_enquiries):
        if part.icpc_target_date is not None and part.icpc_target_date.weekday() >= 5:
            yield Finding(f"/section47_enquiries/{index}/icpc_target_date")


RULE = RecordRule(
    id="cin/8870Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend or provide a reason: The Target Date for Initial Child Protection "
        "Conference should not be a weekend"
    ),
    fields=("/section47_enquiries/*/icpc_target_date",),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="Where present, InitialCPCtarget is not a Saturday or Sunday.",
        why="Conferences are not held at weekends; a weekend target is usually a miscalculated date.",
        fix="Correct the target date (15 working days after the strategy discussion).",
    ),
    examples=(
        passes("a Friday", record(section47_enquiries=[section47(icpc_target_date="2022-06-24")])),
        fails(
            "a Saturday",
            record(section47_enquiries=[section47(icpc_target_date="2022-06-25")]),
            at=["/records/0/section47_enquiries/0/icpc_target_date"],
        ),
    ),
)
