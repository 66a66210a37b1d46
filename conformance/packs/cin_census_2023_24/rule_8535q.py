"""cin/8535Q: a date of death is not before the date of birth."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    if child.death_date is not None and (child.birth_date is None or child.death_date < child.birth_date):
        yield Finding("/child/death_date")


RULE = RecordRule(
    id="cin/8535Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: Child’s date of death should not be prior to the "
        "date of birth"
    ),
    fields=("/child/death_date", "/child/birth_date"),
    check=_check,
    doc=RuleDoc(
        checks="If PersonDeathDate is present, PersonBirthDate is present and on or before it.",
        why="A death before birth (or without a birth date) means a date was mistyped or belongs to another child.",
        fix="Correct the birth or death date.",
    ),
    examples=(
        passes("died after birth", record({"death_date": "2023-06-01"})),
        fails("died before birth", record({"death_date": "2014-01-01"}), at=["/records/0/child/death_date"]),
    ),
)
