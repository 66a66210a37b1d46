"""cin/8825Q: an episode closed after assessment (RC8/RC9) has an assessment."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    assessed = {part.episode_id for part in child_record.assessments}
    for index, item in enumerate(child_record.cin_episodes):
        if item.closure_reason in ("RC8", "RC9") and item.episode_id not in assessed:
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/8825Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: Reason for Closure code RC8 (case closed after "
        "assessment) or RC9 (case closed after assessment, referred to early help) has been returned but there is "
        "no assessment present for the episode."
    ),
    fields=("/cin_episodes/*/closure_reason", "/assessments/*/episode_id"),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks="If ReasonForClosure is RC8 or RC9, the episode has at least one Assessments module.",
        why="RC8 and RC9 say the case closed after an assessment; there must be one.",
        fix="Add the assessment to the episode, or correct the reason for closure.",
    ),
    examples=(
        passes("assessed", record(cin_episodes=[episode(closure_reason="RC8")], assessments=[assessment()])),
        fails(
            "no assessment",
            record(cin_episodes=[episode(closure_reason="RC9")]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
    ),
)
