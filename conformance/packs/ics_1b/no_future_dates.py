"""ics-1b/no-future-dates: recorded events are not dated in the future."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _events(record: ChildRecord) -> Iterator[tuple[str, date | None]]:
    child = record.child
    yield "/child/birth_date", child.birth_date
    yield "/child/death_date", child.death_date
    for index, episode in enumerate(record.cin_episodes):
        yield f"/cin_episodes/{index}/referral_date", episode.referral_date
        yield f"/cin_episodes/{index}/closure_date", episode.closure_date
    for index, assessment in enumerate(record.assessments):
        yield f"/assessments/{index}/start_date", assessment.start_date
        yield f"/assessments/{index}/completed_date", assessment.completed_date
        yield f"/assessments/{index}/authorised_date", assessment.authorised_date
        for seen_index, seen in enumerate(assessment.child_seen_dates):
            yield f"/assessments/{index}/child_seen_dates/{seen_index}", seen
    for index, enquiry in enumerate(record.section47_enquiries):
        yield f"/section47_enquiries/{index}/start_date", enquiry.start_date
        yield f"/section47_enquiries/{index}/icpc_date", enquiry.icpc_date
    for index, plan in enumerate(record.child_protection_plans):
        yield f"/child_protection_plans/{index}/start_date", plan.start_date
        yield f"/child_protection_plans/{index}/end_date", plan.end_date
    for index, cin_plan in enumerate(record.cin_plans):
        yield f"/cin_plans/{index}/start_date", cin_plan.start_date
        yield f"/cin_plans/{index}/end_date", cin_plan.end_date


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    today = context.today
    for pointer, value in _events(record):
        if value is not None and value > today:
            yield Finding(pointer)


RULE = RecordRule(
    id="ics-1b/no-future-dates",
    pack="ics-1b",
    strength="MUST",
    message="a date of something that has happened is in the future",
    fields=(
        "/child/birth_date",
        "/child/death_date",
        "/cin_episodes/*/referral_date",
        "/cin_episodes/*/closure_date",
        "/assessments/*/start_date",
        "/assessments/*/completed_date",
        "/assessments/*/authorised_date",
        "/assessments/*/child_seen_dates",
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/child_protection_plans/*/start_date",
        "/child_protection_plans/*/end_date",
        "/cin_plans/*/start_date",
        "/cin_plans/*/end_date",
    ),
    check=_check,
    doc=RuleDoc(
        checks=(
            "Birth and death, referrals, closures, assessments, child-seen visits, section 47 enquiries and "
            "conferences, and plan starts and ends are not after the date of the check. Expected birth dates and "
            "planned review dates may be in the future."
        ),
        why="A future date for something that has happened is a typing error (often the year), and breaks timescales.",
        fix="Correct the date (check the year and the day/month order).",
    ),
    examples=(
        passes(
            "past dates",
            {
                "child": {**_ID, "birth_date": "2015-01-01"},
                "cin_episodes": [{"episode_id": "E1", "referral_date": "2025-06-30"}],
            },
        ),
        passes("expected birth date in the future", {"child": {**_ID, "expected_birth_date": "2025-09-01"}}),
        fails(
            "assessment started next year",
            {
                "child": {**_ID, "birth_date": "2015-01-01"},
                "assessments": [{"assessment_id": "A1", "start_date": "2026-04-28"}],
            },
            at=["/records/0/assessments/0/start_date"],
        ),
    ),
)
