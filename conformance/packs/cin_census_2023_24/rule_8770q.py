"""cin/8770Q (2023-24): a child over six referred for further action has a UPN or a reason it is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from conformance.census import NO_REFERENCE_DATE, census_reference, years_before
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
    elif child.birth_date <= years_before(reference, 6):
        yield Finding("/child/upn")


RULE = RecordRule(
    id="cin/8770Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: UPN or reason UPN missing expected for a child "
        "who is more than 5 years old"
    ),
    fields=("/child/upn", "/child/upn_unknown_reason", "/child/birth_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If a CIN episode is not a referral with no further action and the child was born on or before the "
            "ReferenceDate minus 6 years, a UPN or a UPN unknown reason other than UN1 is present."
        ),
        why="Every school-age child should have a UPN, which links their social care and education records.",
        fix="Add the child's UPN, or the reason it is not known (UN2-UN7).",
    ),
    examples=(
        passes(
            "UPN given",
            record({"birth_date": "2010-01-01", "upn": "A201000012345"}, cin_episodes=[episode(referral_nfa=False)]),
        ),
        passes("under six", record({"birth_date": "2020-01-01"}, cin_episodes=[episode(referral_nfa=False)])),
        fails(
            "school age, UN1",
            record(
                {"birth_date": "2010-01-01", "upn_unknown_reason": "UN1"}, cin_episodes=[episode(referral_nfa=False)]
            ),
            at=["/records/0/child/upn"],
        ),
    ),
)
