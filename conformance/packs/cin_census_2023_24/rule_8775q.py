"""cin/8775Q: a child in the census is not over 25."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, census_reference, years_before
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    born = child_record.child.birth_date
    if born is None:
        return
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
        return
    if born >= years_before(reference, 25):
        return
    limit = years_before(born, -25)
    if any(item.closure_date is None or item.closure_date > limit for item in child_record.cin_episodes):
        yield Finding("/child/birth_date")


RULE = RecordRule(
    id="cin/8775Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="Please check and either amend data or provide a reason: Child is over 25 years old",
    fields=("/child/birth_date", "/cin_episodes/*/closure_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If the child was born more than 25 years before the ReferenceDate, no CIN episode is open or closed "
            "after the child's 25th birthday."
        ),
        why="Children's services end at 25 at the latest; an older person usually means a mistyped birth date.",
        fix="Correct the birth date, or close the episode at the date services ended.",
    ),
    examples=(
        passes(
            "closed before 25", record({"birth_date": "1995-01-01"}, cin_episodes=[episode(closure_date="2019-06-01")])
        ),
        fails(
            "still open at 29",
            record({"birth_date": "1995-01-01"}, cin_episodes=[episode()]),
            at=["/records/0/child/birth_date"],
        ),
    ),
)
