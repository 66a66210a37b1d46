"""cin/1104: an initial child protection conference is not before the referral."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from conformance.census_examples import episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    referred: dict[str | None, date | None] = {
        item.episode_id: item.referral_date for item in child_record.cin_episodes
    }
    for index, part in enumerate(child_record.section47_enquiries):
        held, referral = part.icpc_date, referred.get(part.episode_id)
        if held is not None and referral is not None and held < referral:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")


RULE = RecordRule(
    id="cin/1104",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The date of the initial child protection conference cannot be before the referral date",
    fields=("/section47_enquiries/*/icpc_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="Where present, a section 47 DateOfInitialCPC is on or after the episode's CINreferralDate.",
        why="The conference follows the referral and enquiry that led to it.",
        fix="Correct the conference date or the referral date.",
    ),
    examples=(
        passes(
            "after referral",
            record(
                cin_episodes=[episode(referral_date="2023-05-01")],
                section47_enquiries=[section47(icpc_date="2023-05-20")],
            ),
        ),
        fails(
            "before referral",
            record(
                cin_episodes=[episode(referral_date="2023-05-01")],
                section47_enquiries=[section47(icpc_date="2023-04-20")],
            ),
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
