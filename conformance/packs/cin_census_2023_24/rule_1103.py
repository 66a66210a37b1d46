"""cin/1103: an assessment does not start before the referral."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from conformance.census_examples import assessment, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    referred: dict[str | None, date | None] = {
        item.episode_id: item.referral_date for item in child_record.cin_episodes
    }
    for index, part in enumerate(child_record.assessments):
        start, referral = part.start_date, referred.get(part.episode_id)
        if start is not None and referral is not None and start < referral:
            yield Finding(f"/assessments/{index}/start_date")


RULE = RecordRule(
    id="cin/1103",
    pack="cin-census-2023-24",
    strength="MUST",
    message="The assessment start date cannot be before the referral date",
    fields=("/assessments/*/start_date", "/cin_episodes/*/referral_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="Where present, AssessmentActualStartDate is on or after the episode's CINreferralDate.",
        why="An assessment follows the referral that asked for it.",
        fix="Correct the assessment start date or the referral date.",
    ),
    examples=(
        passes(
            "after referral",
            record(
                cin_episodes=[episode(referral_date="2023-06-01")], assessments=[assessment(start_date="2023-06-01")]
            ),
        ),
        fails(
            "before referral",
            record(
                cin_episodes=[episode(referral_date="2023-06-01")], assessments=[assessment(start_date="2023-05-31")]
            ),
            at=["/records/0/assessments/0/start_date"],
        ),
    ),
)
