"""ics-1b/assessment-dates-ordered: an assessment is not completed or authorised before it started."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, assessment in enumerate(record.assessments):
        start = assessment.start_date
        if start is None:
            continue
        if assessment.completed_date is not None and assessment.completed_date < start:
            yield Finding(f"/assessments/{index}/completed_date")
        authorised = assessment.authorised_date
        if authorised is not None and authorised < start and authorised != assessment.completed_date:
            yield Finding(f"/assessments/{index}/authorised_date")


RULE = RecordRule(
    id="ics-1b/assessment-dates-ordered",
    pack="ics-1b",
    strength="MUST",
    message="the assessment's completion or authorisation date is before its start date",
    fields=("/assessments/*/start_date", "/assessments/*/completed_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="An assessment's completion date and authorisation date are on or after its start date.",
        why="An assessment completed before it began is a recording error that hides when work was really done.",
        fix="Correct the start, completion or authorisation date in the case management system.",
    ),
    examples=(
        passes(
            "completed after it started",
            {
                "child": _CHILD,
                "assessments": [{"assessment_id": "A1", "start_date": "2025-01-06", "completed_date": "2025-01-06"}],
            },
        ),
        fails(
            "completed before it started",
            {
                "child": _CHILD,
                "assessments": [{"assessment_id": "A1", "start_date": "2025-01-06", "completed_date": "2025-01-03"}],
            },
            at=["/records/0/assessments/0/completed_date"],
        ),
        fails(
            "authorised before it started",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "start_date": "2025-01-06",
                        "completed_date": "2025-01-10",
                        "authorised_date": "2025-01-02",
                    }
                ],
            },
            at=["/records/0/assessments/0/authorised_date"],
        ),
    ),
)
