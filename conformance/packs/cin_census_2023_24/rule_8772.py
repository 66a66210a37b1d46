"""cin/8772: UPN unknown reason UN7 only when every referral had no further action."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if child_record.child.upn_unknown_reason != "UN7":
        return
    if any(item.referral_nfa is not True for item in child_record.cin_episodes):
        yield Finding("/child/upn_unknown_reason")


RULE = RecordRule(
    id="cin/8772",
    pack="cin-census-2023-24",
    strength="MUST",
    message=(
        "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral "
        "going on to further action"
    ),
    fields=("/child/upn_unknown_reason", "/cin_episodes/*/referral_nfa"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If UPNunknown is UN7, every CIN episode has ReferralNFA true.",
        why="UN7 says the UPN was not sought because the referral went no further; that is false if any went further.",
        fix="Find the child's UPN, or give the reason that applies (UN1-UN6).",
    ),
    examples=(
        passes(
            "UN7, no further action", record({"upn_unknown_reason": "UN7"}, cin_episodes=[episode(referral_nfa=True)])
        ),
        fails(
            "UN7, further action",
            record(
                {"upn_unknown_reason": "UN7"},
                cin_episodes=[episode(referral_nfa=True), episode("E2", referral_nfa=False)],
            ),
            at=["/records/0/child/upn_unknown_reason"],
        ),
    ),
)
