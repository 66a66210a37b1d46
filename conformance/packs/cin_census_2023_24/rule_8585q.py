"""cin/8585Q: an episode closed because the child died comes with a date of death."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if child_record.child.death_date is not None:
        return
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_reason == "RC2":
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/8585Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend or provide a reason: CIN episode shows Died as the Closure Reason, however "
        "child has no recorded Date of Death"
    ),
    fields=("/cin_episodes/*/closure_reason", "/child/death_date"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If ReasonForClosure is RC2 (died), PersonDeathDate is present.",
        why="The reason for closure and the child's date of death must agree.",
        fix="Record the date of death, or correct the reason for closure.",
    ),
    examples=(
        passes(
            "died, date recorded", record({"death_date": "2023-12-01"}, cin_episodes=[episode(closure_reason="RC2")])
        ),
        fails(
            "died, no date",
            record(cin_episodes=[episode(closure_reason="RC2")]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
    ),
)
