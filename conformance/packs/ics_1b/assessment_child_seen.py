"""ics-1b/assessment-child-seen: an assessment cannot be completed unless the child was seen during it."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, NotEvaluated, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, assessment in enumerate(record.assessments):
        completed = assessment.completed_date
        if completed is None:
            continue
        if not assessment.child_seen_known:
            yield NotEvaluated(
                "the file's format cannot carry the dates a child was seen, so completed assessments cannot be "
                "checked for a child-seen visit",
                f"/assessments/{index}/child_seen_dates",
            )
            continue
        start = assessment.start_date
        if not any((start is None or start <= seen) and seen <= completed for seen in assessment.child_seen_dates):
            yield Finding(f"/assessments/{index}/completed_date")


RULE = RecordRule(
    id="ics-1b/assessment-child-seen",
    pack="ics-1b",
    strength="MUST",
    message="the assessment is completed but the child was not seen between its start and its completion",
    fields=("/assessments/*/completed_date", "/assessments/*/start_date", "/assessments/*/child_seen_dates"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "Every completed assessment records at least one date the child was seen on or after the assessment "
            "started and on or before it was completed. Formats that cannot carry child-seen dates (the DfE CIN "
            "census) are reported once per file as not evaluated."
        ),
        why=(
            "ICS Phase 1B: an assessment cannot be completed until the child has been seen. An assessment made "
            "without seeing the child misses what only seeing the child shows, and a record that says otherwise "
            "misleads every practitioner who relies on it."
        ),
        fix=(
            "Record the visit(s) at which the child was seen (date within the assessment), or do not mark the "
            "assessment complete until the child has been seen."
        ),
    ),
    examples=(
        passes(
            "seen during the assessment",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "start_date": "2025-01-06",
                        "child_seen_dates": ["2025-01-08"],
                        "completed_date": "2025-01-20",
                    }
                ],
            },
        ),
        passes(
            "open assessment, child not yet seen",
            {"child": _CHILD, "assessments": [{"assessment_id": "A1", "start_date": "2025-01-06"}]},
        ),
        passes(
            "seen on the day of completion",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "start_date": "2025-01-06",
                        "child_seen_dates": ["2025-01-20"],
                        "completed_date": "2025-01-20",
                    }
                ],
            },
        ),
        fails(
            "completed with no child-seen date",
            {
                "child": _CHILD,
                "assessments": [{"assessment_id": "A1", "start_date": "2025-01-06", "completed_date": "2025-01-20"}],
            },
            at=["/records/0/assessments/0/completed_date"],
        ),
        fails(
            "seen only before the assessment started",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "start_date": "2025-01-06",
                        "child_seen_dates": ["2024-12-30", "2025-01-21"],
                        "completed_date": "2025-01-20",
                    }
                ],
            },
            at=["/records/0/assessments/0/completed_date"],
        ),
        passes(
            "format cannot carry child-seen dates: not evaluated, never failed",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "start_date": "2025-01-06",
                        "completed_date": "2025-01-20",
                        "child_seen_known": False,
                    }
                ],
            },
            not_evaluated=True,
        ),
    ),
)
