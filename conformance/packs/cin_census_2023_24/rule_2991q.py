"""cin/2991Q: an episode with a section 47 enquiry has an assessment."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    assessed = {part.episode_id for part in child_record.assessments}
    enquired = {part.episode_id for part in child_record.section47_enquiries}
    for index, item in enumerate(child_record.cin_episodes):
        if item.episode_id in enquired and item.episode_id not in assessed:
            yield Finding(f"/cin_episodes/{index}")


RULE = RecordRule(
    id="cin/2991Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend data or provide a reason: A Section 47 module is recorded and there is no "
        "assessment on the episode"
    ),
    fields=("/section47_enquiries/*/episode_id", "/assessments/*/episode_id"),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks="If an episode has a Section47 module, it also has an Assessments module.",
        why="A section 47 enquiry is normally accompanied by an assessment of the child's needs.",
        fix="Add the assessment to the episode, or explain why there was none.",
    ),
    examples=(
        passes(
            "enquiry and assessment",
            record(cin_episodes=[episode()], section47_enquiries=[section47()], assessments=[assessment()]),
        ),
        fails(
            "enquiry only",
            record(cin_episodes=[episode()], section47_enquiries=[section47()]),
            at=["/records/0/cin_episodes/0"],
        ),
    ),
)
