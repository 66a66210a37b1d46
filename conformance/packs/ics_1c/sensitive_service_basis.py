"""ics-1c/sensitive-service-basis: a sensitive service is shared only with consent or a safeguarding reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.views import sensitive_basis

__all__ = ["RULE"]

_DETAIL = {
    "directory/sensitive-service-no-basis": "no consent named and no safeguarding reason",
    "directory/sensitive-service-consent-inactive": "the consent named is not active",
    "directory/sensitive-service-consent-missing": "the consent named is not in the record",
}
_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}
_CONSENT = {
    "consent_id": "K1",
    "purpose": "sensitive_service",
    "given_by_role": "child",
    "given_at": "2025-01-01T10:00:00Z",
}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    at = datetime.combine(context.today, time(23, 59, 59), tzinfo=UTC)
    for index, involvement in enumerate(record.involvements):
        if involvement.sensitive_category is None:
            continue
        basis = sensitive_basis(involvement, record.consents, at)
        if basis not in ("consent", "safeguarding"):
            yield Finding(f"/involvements/{index}", _DETAIL.get(basis))


RULE = RecordRule(
    id="ics-1c/sensitive-service-basis",
    pack="ics-1c",
    strength="MUST",
    message="a sensitive-service involvement has neither an active explicit consent nor a recorded safeguarding reason",
    fields=(
        "/involvements/*/sensitive_category",
        "/involvements/*/consent_id",
        "/involvements/*/safeguarding_reason",
        "/consents",
    ),
    check=_check,
    applies_to=("involvements",),
    doc=RuleDoc(
        checks=(
            "An involvement of a sexual health, mental health or substance misuse service names a consent in the "
            "record that is active (given, not withdrawn, and not a CAF-sharing consent) or records a "
            "safeguarding reason."
        ),
        why=(
            "ContactPoint showed sensitive services only with the young person's explicit consent or for "
            "safeguarding; otherwise the directory itself would disclose the service. The directory leaves such "
            "involvements out, so practitioners would not know the service is involved."
        ),
        fix="Record the young person's consent to share the involvement (and name it), or the safeguarding reason.",
    ),
    examples=(
        passes(
            "with an active consent",
            {
                "child": _CHILD,
                "consents": [_CONSENT],
                "involvements": [
                    {"service_type": "sexual-health", "sensitive_category": "sexual_health", "consent_id": "K1"}
                ],
            },
        ),
        passes(
            "with a safeguarding reason",
            {
                "child": _CHILD,
                "involvements": [
                    {
                        "service_type": "substance-misuse",
                        "sensitive_category": "substance_misuse",
                        "safeguarding_reason": "child protection plan",
                    }
                ],
            },
        ),
        fails(
            "no consent, no reason",
            {"child": _CHILD, "involvements": [{"service_type": "camhs", "sensitive_category": "mental_health"}]},
            at=["/records/0/involvements/0"],
        ),
        fails(
            "consent withdrawn",
            {
                "child": _CHILD,
                "consents": [{**_CONSENT, "withdrawn_at": "2025-02-01T10:00:00Z"}],
                "involvements": [{"service_type": "camhs", "sensitive_category": "mental_health", "consent_id": "K1"}],
            },
            at=["/records/0/involvements/0"],
        ),
    ),
)
