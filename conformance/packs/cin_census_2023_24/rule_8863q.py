"""cin/8863Q: an assessment does not start while another in the same episode is ongoing."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, by_episode, census_reference
from conformance.census_examples import assessment, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if len(child_record.assessments) < 2:
        return
    reference = census_reference(context)
    for group in by_episode(child_record.assessments).values():
        for index, part in group:
            start = part.start_date
            if start is None:
                continue
            for other_index, other in group:
                if other_index == index or other.start_date is None or start < other.start_date:
                    continue
                if other.start_date == start and other.authorised_date == part.authorised_date:
                    continue  # the same assessment sent twice is not an overlap of two
                if other.authorised_date is not None:
                    inside = start <= other.authorised_date
                else:
                    if reference is None:
                        yield NO_REFERENCE_DATE
                        return
                    inside = start <= reference
                if inside:
                    yield Finding(f"/assessments/{index}/start_date")
                    break


RULE = RecordRule(
    id="cin/8863Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message="An Assessment is shown as starting when there is another Assessment ongoing.",
    fields=("/assessments/*/start_date", "/assessments/*/authorised_date"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "Within one episode, no AssessmentActualStartDate falls on or between another assessment's start and "
            "authorisation date, or - when that one has no authorisation date - its start and the ReferenceDate."
        ),
        why="Two assessments running at once for one child in one episode usually mean one was not closed.",
        fix="Record the first assessment's authorisation date, or merge the two.",
    ),
    examples=(
        passes(
            "one after the other",
            record(
                assessments=[
                    assessment(start_date="2023-05-01", authorised_date="2023-06-01"),
                    assessment("A2", start_date="2023-06-02"),
                ]
            ),
        ),
        fails(
            "second while first open",
            record(
                assessments=[
                    assessment(start_date="2023-05-01"),
                    assessment("A2", start_date="2023-06-02", authorised_date="2023-07-01"),
                ]
            ),
            at=["/records/0/assessments/1/start_date"],
        ),
    ),
)
