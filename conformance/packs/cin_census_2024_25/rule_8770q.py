"""cin/8770Q (changed 2024-25): a school-age child referred for further action has a UPN or a reason (not UN1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Final

from conformance.census import NO_REFERENCE_DATE, census_reference
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_REASONS: Final = frozenset({"UN2", "UN3", "UN4", "UN5", "UN6", "UN7"})


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    if child.birth_date is None or child.upn or child.upn_unknown_reason in _REASONS:
        return
    if not any(item.referral_nfa is False for item in child_record.cin_episodes):
        return
    reference = census_reference(context)
    if reference is None:
        yield NO_REFERENCE_DATE
    elif reference.year - 6 >= date.min.year and child.birth_date <= date(reference.year - 6, 8, 31):
        yield Finding("/child/upn")  # (a reference date in the first six years of the calendar has no school age)


RULE = RecordRule(
    id="cin/8770Q",
    pack="cin-census-2024-25",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: UPN is missing or reason UPN is missing or is UN1 "
        "for a child who is of school age."
    ),
    fields=("/child/upn", "/child/upn_unknown_reason", "/child/birth_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If a CIN episode is not a referral with no further action and the child is of school age - born on or "
            "before 31 August six years before the ReferenceDate's year (31 August 2019 for 2024-25) - a UPN or a "
            "UPN unknown reason other than UN1 is present."
        ),
        why="Every school-age child should have a UPN, which links their social care and education records.",
        fix="Add the child's UPN, or the reason it is not known (UN2-UN7; UN1 means not yet of school age).",
    ),
    examples=(
        passes(
            "UPN given",
            record({"birth_date": "2015-01-01", "upn": "A201000012345"}, cin_episodes=[episode(referral_nfa=False)]),
            reference_date=date(2025, 3, 31),
        ),
        passes(
            "born September 2019",
            record({"birth_date": "2019-09-01"}, cin_episodes=[episode(referral_nfa=False)]),
            reference_date=date(2025, 3, 31),
        ),
        fails(
            "born August 2019, UN1",
            record(
                {"birth_date": "2019-08-31", "upn_unknown_reason": "UN1"}, cin_episodes=[episode(referral_nfa=False)]
            ),
            at=["/records/0/child/upn"],
            reference_date=date(2025, 3, 31),
        ),
    ),
)
