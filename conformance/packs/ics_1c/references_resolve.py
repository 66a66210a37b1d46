"""ics-1c/references-resolve: references inside a record point at something the record holds."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    consent_ids = {consent.consent_id for consent in record.consents}
    for index, involvement in enumerate(record.involvements):
        if involvement.consent_id is not None and involvement.consent_id not in consent_ids:
            yield Finding(f"/involvements/{index}/consent_id", "no such consent")
    episode_ids = {episode.episode_id for episode in record.cin_episodes}
    parts: dict[str, list[str | None]] = {
        "assessments": [item.episode_id for item in record.assessments],
        "section47_enquiries": [item.episode_id for item in record.section47_enquiries],
        "child_protection_plans": [item.episode_id for item in record.child_protection_plans],
        "cin_plans": [item.episode_id for item in record.cin_plans],
    }
    for name, episodes in parts.items():
        for index, episode_id in enumerate(episodes):
            if episode_id is not None and episode_id not in episode_ids:
                yield Finding(f"/{name}/{index}/episode_id", "no such episode")
    seen: set[str] = set()
    for index, caf in enumerate(record.caf_assessments):
        key = f"{caf.caf_id}#{caf.version}"
        if key in seen:
            yield Finding(f"/caf_assessments/{index}/caf_id", "the same CAF version twice")
        seen.add(key)


RULE = RecordRule(
    id="ics-1c/references-resolve",
    pack="ics-1c",
    strength="MUST",
    message="a reference in the record does not resolve",
    fields=("/involvements/*/consent_id", "/consents", "/cin_episodes", "/*/episode_id", "/caf_assessments/*/caf_id"),
    check=_check,
    doc=RuleDoc(
        checks=(
            "An involvement's consent id names a consent in the record; an assessment, enquiry or plan's episode id "
            "names one of the record's CIN episodes; a CAF version appears once."
        ),
        why=(
            "Sharing decisions follow these references: an involvement pointing at a consent that is not there cannot "
            "be shown, and case work attached to an unknown episode is lost to the child's history."
        ),
        fix="Send the consent or episode the reference names with the record, or correct the reference.",
    ),
    examples=(
        passes(
            "consent and episode present",
            {
                "child": _CHILD,
                "consents": [{"consent_id": "K1", "given_by_role": "child", "given_at": "2025-01-01T10:00:00Z"}],
                "involvements": [{"service_type": "camhs", "consent_id": "K1"}],
                "cin_episodes": [{"episode_id": "E1"}],
                "assessments": [{"assessment_id": "A1", "episode_id": "E1"}],
            },
        ),
        fails(
            "dangling consent and episode",
            {
                "child": _CHILD,
                "involvements": [{"service_type": "camhs", "consent_id": "K9"}],
                "cin_plans": [{"plan_id": "P1", "episode_id": "E9"}],
            },
            at=["/records/0/involvements/0/consent_id", "/records/0/cin_plans/0/episode_id"],
        ),
    ),
)
