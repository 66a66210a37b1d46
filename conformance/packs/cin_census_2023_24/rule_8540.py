"""cin/8540: a born child referred for further action has valid disability codes."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import DISABILITIES
from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = child_record.child
    if child.birth_date is None or not any(item.referral_nfa is False for item in child_record.cin_episodes):
        return
    if not child.disabilities or any(code not in DISABILITIES for code in child.disabilities):
        yield Finding("/child/disabilities")


RULE = RecordRule(
    id="cin/8540",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Child’s disability is missing or invalid (see Disability table)",
    fields=("/child/disabilities", "/child/birth_date", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If PersonBirthDate is present and at least one CIN episode is not a referral with no further action, "
            "one or more Disability codes are present and all are valid (NONE when the child has no disability). "
            "The reader leaves invalid codes out, so a child whose only codes were invalid is reported here."
        ),
        why="Disability is collected for every child in need receiving a service.",
        fix="Record the child's disability codes from the DfE Disability table, or NONE.",
    ),
    examples=(
        passes("NONE recorded", record({"disabilities": ["NONE"]}, cin_episodes=[episode(referral_nfa=False)])),
        passes("referral with no further action", record(cin_episodes=[episode(referral_nfa=True)])),
        fails(
            "no disability recorded",
            record(cin_episodes=[episode(referral_nfa=False)]),
            at=["/records/0/child/disabilities"],
        ),
    ),
)
