"""cin/2889: a section 47 enquiry does not start before the referral."""

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
        start, referral = part.start_date, referred.get(part.episode_id)
        if start is not None and referral is not None and start < referral:
            yield Finding(f"/section47_enquiries/{index}/start_date")


RULE = RecordRule(
    id="cin/2889",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The S47 start date cannot be before the referral date.",
    fields=("/section47_enquiries/*/start_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="Where present, S47ActualStartDate is on or after the episode's CINreferralDate.",
        why="A section 47 enquiry follows the referral.",
        fix="Correct the enquiry's start date or the referral date.",
    ),
    examples=(
        passes(
            "after referral",
            record(
                cin_episodes=[episode(referral_date="2022-06-01")],
                section47_enquiries=[section47(start_date="2022-06-02")],
            ),
        ),
        fails(
            "before referral",
            record(
                cin_episodes=[episode(referral_date="2022-10-06")],
                section47_enquiries=[section47(start_date="2022-06-02")],
            ),
            at=["/records/0/section47_enquiries/0/start_date"],
        ),
    ),
)
