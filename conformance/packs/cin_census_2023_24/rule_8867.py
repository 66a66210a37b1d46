"""cin/8867: a closed episode's assessments are all completed."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    closed = {item.episode_id for item in child_record.cin_episodes if item.closure_date is not None}
    for index, part in enumerate(child_record.assessments):
        if part.episode_id in closed and part.authorised_date is None:
            yield Finding(f"/assessments/{index}/authorised_date")


RULE = RecordRule(
    id="cin/8867",
    pack="cin-census-2023-24",
    strength="MUST",
    message="CIN episode is shown as closed, however Assessment is not shown as completed",
    fields=("/cin_episodes/*/closure_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="If CINclosureDate is present, every assessment of the episode has an AssessmentAuthorisationDate.",
        why="A case is not closed with an assessment still open.",
        fix="Record the assessment's authorisation date, or reopen the episode.",
    ),
    examples=(
        passes(
            "completed",
            record(
                cin_episodes=[episode(closure_date="2023-12-01")],
                assessments=[assessment(authorised_date="2023-11-01")],
            ),
        ),
        fails(
            "still open",
            record(cin_episodes=[episode(closure_date="2023-12-01")], assessments=[assessment()]),
            at=["/records/0/assessments/0/authorised_date"],
        ),
    ),
)
