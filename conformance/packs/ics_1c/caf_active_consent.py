"""ics-1c/caf-active-consent: a CAF that is not closed has an active consent to share it (else it is not shared)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.consent import caf_recipients

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}
_CONSENT = {"consent_id": "K1", "given_by_role": "parent", "scope": ["RX1"], "given_at": "2025-01-01T10:00:00Z"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    at = datetime.combine(context.today, time(23, 59, 59), tzinfo=UTC)
    for index, caf in enumerate(record.caf_assessments):
        if caf.status != "closed" and not caf_recipients(caf, at):
            withdrawn = any(consent.withdrawn_at is not None for consent in caf.consents)
            yield Finding(
                f"/caf_assessments/{index}/consents", "consent withdrawn" if withdrawn else "no consent given"
            )


RULE = RecordRule(
    id="ics-1c/caf-active-consent",
    pack="ics-1c",
    strength="SHOULD",
    message="the CAF has no active consent, so it will not be shared with any agency",
    fields=("/caf_assessments/*/status", "/caf_assessments/*/consents"),
    check=_check,
    applies_to=("caf_assessments",),
    doc=RuleDoc(
        checks=(
            "A CAF that is not closed has at least one active CAF-sharing consent (given, not withdrawn) naming an "
            "agency. Without one the gateway keeps the CAF but shares it with no one; after a withdrawal, sharing "
            "stops at once."
        ),
        why="eCAF shared assessments only with consent; a supplier should know when its CAF will not reach anyone.",
        fix="Record the family's consent to share the CAF (with the agencies it covers), or close the CAF.",
    ),
    examples=(
        passes("active consent", {"child": _CHILD, "caf_assessments": [{"caf_id": "F1", "consents": [_CONSENT]}]}),
        passes("closed CAF", {"child": _CHILD, "caf_assessments": [{"caf_id": "F1", "status": "closed"}]}),
        fails(
            "consent withdrawn",
            {
                "child": _CHILD,
                "caf_assessments": [
                    {"caf_id": "F1", "consents": [{**_CONSENT, "withdrawn_at": "2025-03-01T09:00:00Z"}]}
                ],
            },
            at=["/records/0/caf_assessments/0/consents"],
        ),
    ),
)
