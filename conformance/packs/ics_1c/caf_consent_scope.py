"""ics-1c/caf-consent-scope: a CAF consent names the agencies it covers; a withdrawal follows the giving."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}
_CONSENT = {"consent_id": "K1", "given_by_role": "parent", "scope": ["RX1", "201"], "given_at": "2025-01-01T10:00:00Z"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, caf in enumerate(record.caf_assessments):
        for consent_index, consent in enumerate(caf.consents):
            base = f"/caf_assessments/{index}/consents/{consent_index}"
            if consent.purpose == "caf_sharing" and not consent.scope:
                yield Finding(f"{base}/scope", "no agency named")
            if consent.withdrawn_at is not None and consent.withdrawn_at < consent.given_at:
                yield Finding(f"{base}/withdrawn_at", "withdrawn before it was given")


RULE = RecordRule(
    id="ics-1c/caf-consent-scope",
    pack="ics-1c",
    strength="MUST",
    message="a CAF consent does not say which agencies it covers, or is withdrawn before it was given",
    fields=(
        "/caf_assessments/*/consents/*/scope",
        "/caf_assessments/*/consents/*/given_at",
        "/caf_assessments/*/consents/*/withdrawn_at",
    ),
    check=_check,
    applies_to=("caf_assessments",),
    doc=RuleDoc(
        checks=(
            "Every CAF-sharing consent names at least one agency (organisation code) in its scope, and a withdrawal "
            "is dated on or after the consent was given."
        ),
        why=(
            "A CAF is shared only with the agencies the child or family agreed to; a consent with no scope cannot "
            "say who may see the CAF, and a withdrawal must stop sharing from the moment it was made."
        ),
        fix="Record which agencies the family agreed may see the CAF, and the correct withdrawal date.",
    ),
    examples=(
        passes("scoped consent", {"child": _CHILD, "caf_assessments": [{"caf_id": "F1", "consents": [_CONSENT]}]}),
        fails(
            "consent with no scope",
            {"child": _CHILD, "caf_assessments": [{"caf_id": "F1", "consents": [{**_CONSENT, "scope": []}]}]},
            at=["/records/0/caf_assessments/0/consents/0/scope"],
        ),
        fails(
            "withdrawn before given",
            {
                "child": _CHILD,
                "caf_assessments": [
                    {"caf_id": "F1", "consents": [{**_CONSENT, "withdrawn_at": "2024-12-01T10:00:00Z"}]}
                ],
            },
            at=["/records/0/caf_assessments/0/consents/0/withdrawn_at"],
        ),
    ),
)
