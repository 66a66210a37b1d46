"""cin/8873Q: an episode whose only assessment found no factors is closed with RC8 or RC9."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import by_episode
from conformance.census_examples import assessment, episode, record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    groups = by_episode(child_record.assessments)
    for index, item in enumerate(child_record.cin_episodes):
        group = groups.get(item.episode_id, [])
        if len(group) == 1 and "21" in group[0][1].factors and item.closure_reason not in ("RC8", "RC9"):
            yield Finding(f"/cin_episodes/{index}/closure_reason")


RULE = RecordRule(
    id="cin/8873Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: When there is only one assessment on the episode "
        "and the factors code “21 No factors identified” has been used for the completed assessment, the reason "
        "for closure ‘RC8’ or 'RC9' should be used."
    ),
    fields=("/assessments/*/factors", "/cin_episodes/*/closure_reason"),
    check=_check,
    applies_to=("assessments",),
    doc=RuleDoc(
        checks=(
            "If an episode has exactly one assessment and its factors include 21, its ReasonForClosure is RC8 or RC9."
        ),
        why="An assessment that found no factors normally closes the case after assessment.",
        fix="Close the case with RC8 or RC9, or record the factors the assessment did identify.",
    ),
    examples=(
        passes(
            "closed RC8", record(cin_episodes=[episode(closure_reason="RC8")], assessments=[assessment(factors=["21"])])
        ),
        fails(
            "closed RC1",
            record(cin_episodes=[episode(closure_reason="RC1")], assessments=[assessment(factors=["21"])]),
            at=["/records/0/cin_episodes/0/closure_reason"],
        ),
    ),
)
