"""cin/8896: at most one open assessment per episode."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import by_episode
from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for group in by_episode(child_record.assessments).values():
        open_ones = [index for index, part in group if part.authorised_date is None]
        if len(open_ones) > 1:
            for index in open_ones:
                yield Finding(f"/assessments/{index}/authorised_date")


RULE = RecordRule(
    id="cin/8896",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Within one CINDetails group there are 2 or more open Assessments groups",
    fields=("/assessments/*/authorised_date",),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks="Within one episode, no more than one assessment has no AssessmentAuthorisationDate.",
        why="One episode has one assessment under way at a time.",
        fix="Record the authorisation date of the assessments that are complete.",
    ),
    examples=(
        passes("one open", record(assessments=[assessment(authorised_date="2023-06-01"), assessment("A2")])),
        fails(
            "two open",
            record(assessments=[assessment(), assessment("A2")]),
            at=["/records/0/assessments/0/authorised_date", "/records/0/assessments/1/authorised_date"],
        ),
    ),
)
