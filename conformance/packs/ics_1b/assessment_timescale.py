"""ics-1b/assessment-timescale: initial, core and single assessments finish within their working-day timescales."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from conformance.calendar import add_working_days
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE", "TIMESCALES"]

TIMESCALES: Final = {"initial": 7, "core": 35, "single": 45}
"""Working days from the start of an assessment to its completion, by kind."""

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, assessment in enumerate(record.assessments):
        days = TIMESCALES.get(assessment.kind)
        if days is None or assessment.start_date is None:
            continue
        deadline = add_working_days(assessment.start_date, days)
        completed = assessment.completed_date
        if completed is not None:
            if completed > deadline:
                yield Finding(f"/assessments/{index}/completed_date", f"{assessment.kind}: {days} working days")
        elif context.today > deadline:
            yield Finding(f"/assessments/{index}/start_date", f"{assessment.kind}: {days} working days, still open")


RULE = RecordRule(
    id="ics-1b/assessment-timescale",
    pack="ics-1b",
    strength="SHOULD",
    message="the assessment was not completed within its timescale in working days",
    fields=("/assessments/*/kind", "/assessments/*/start_date", "/assessments/*/completed_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "Initial assessments complete within 7 working days of starting, core assessments within 35 and "
            "single assessments within 45. Working days exclude weekends and England's bank holidays; the start "
            "is day 0. An assessment still open after its deadline (at the date of the check) is reported too."
        ),
        why=(
            "The ICS timescales (Framework for the Assessment of Children in Need; Working Together) exist so "
            "that children in need are not left waiting; councils monitor them as a key performance indicator."
        ),
        fix="Complete the assessment, or record the reason for the delay in the case record; check the start date.",
    ),
    examples=(
        passes(
            "initial assessment completed on its 7th working day (across Easter)",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "kind": "initial",
                        "start_date": "2025-04-15",
                        "completed_date": "2025-04-28",
                    }
                ],
            },
        ),
        fails(
            "initial assessment completed on its 8th working day",
            {
                "child": _CHILD,
                "assessments": [
                    {
                        "assessment_id": "A1",
                        "kind": "initial",
                        "start_date": "2025-04-15",
                        "completed_date": "2025-04-29",
                    }
                ],
            },
            at=["/records/0/assessments/0/completed_date"],
        ),
        fails(
            "single assessment still open after 45 working days",
            {
                "child": _CHILD,
                "assessments": [{"assessment_id": "A1", "kind": "single", "start_date": "2025-03-03"}],
            },
            at=["/records/0/assessments/0/start_date"],
        ),
        passes(
            "continuous assessment has no timescale",
            {
                "child": _CHILD,
                "assessments": [{"assessment_id": "A1", "kind": "continuous", "start_date": "2020-01-06"}],
            },
        ),
    ),
)
