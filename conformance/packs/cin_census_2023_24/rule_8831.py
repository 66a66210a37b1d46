"""cin/8831: a referral with no further action has no assessment or section 47 activity."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import assessment, episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, item in enumerate(child_record.cin_episodes):
        if item.referral_nfa is not True:
            continue
        own = item.episode_id
        if (
            item.initial_cp_conference_date is not None
            or any(
                part.episode_id == own and (part.start_date is not None or part.authorised_date is not None)
                for part in child_record.assessments
            )
            or any(
                part.episode_id == own and (part.start_date is not None or part.icpc_date is not None)
                for part in child_record.section47_enquiries
            )
        ):
            yield Finding(f"/cin_episodes/{index}/referral_nfa")


RULE = RecordRule(
    id="cin/8831",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Activity is recorded against a case marked as a referral with no further action",
    fields=(
        "/cin_episodes/*/referral_nfa",
        "/assessments/*/start_date",
        "/assessments/*/authorised_date",
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/cin_episodes/*/initial_cp_conference_date",
    ),
    check=_check,
    applies_to=("cin_episodes",),
    doc=RuleDoc(
        checks=(
            "If ReferralNFA is true, the episode has no AssessmentActualStartDate, AssessmentAuthorisationDate, "
            "S47ActualStartDate or DateOfInitialCPC."
        ),
        why="A referral with no further action had no assessment or enquiry; recorded work shows the flag is wrong.",
        fix="Set ReferralNFA to 0 (further action), or move the work to the episode it belongs to.",
    ),
    examples=(
        passes("NFA, no activity", record(cin_episodes=[episode(referral_nfa=True)])),
        fails(
            "NFA with an assessment",
            record(cin_episodes=[episode(referral_nfa=True)], assessments=[assessment(start_date="2023-06-01")]),
            at=["/records/0/cin_episodes/0/referral_nfa"],
        ),
        fails(
            "NFA with an enquiry",
            record(cin_episodes=[episode(referral_nfa=True)], section47_enquiries=[section47(start_date="2023-06-01")]),
            at=["/records/0/cin_episodes/0/referral_nfa"],
        ),
    ),
)
