"""ics-1c/caf-complete: a completed CAF has three domains, an assessor, a review date and a lead professional."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}
_PRACTITIONER = {
    "name": {"given": ["Sam"], "family": "Assessor"},
    "organisation": {"code": "RX1", "code_system": "ods"},
}
_DOMAINS = {
    "development_of_child": {"summary": "x"},
    "parents_and_carers": {"strengths": ["y"]},
    "family_and_environment": {"needs": ["z"]},
}
_CAF = {
    "caf_id": "F1",
    "status": "completed",
    "assessor": _PRACTITIONER,
    "domains": _DOMAINS,
    "review_date": "2025-09-01",
}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, caf in enumerate(record.caf_assessments):
        if caf.status != "completed":
            continue
        base = f"/caf_assessments/{index}"
        domains = caf.domains
        for name in ("development_of_child", "parents_and_carers", "family_and_environment"):
            if not getattr(domains, name).is_recorded():
                yield Finding(f"{base}/domains/{name}", "domain not recorded")
        if caf.assessor is None:
            yield Finding(f"{base}/assessor", "no assessor")
        if caf.actions and caf.lead_professional is None:
            yield Finding(f"{base}/lead_professional", "actions agreed but no lead professional")
        if caf.review_date is None:
            yield Finding(f"{base}/review_date", "no review date")


RULE = RecordRule(
    id="ics-1c/caf-complete",
    pack="ics-1c",
    strength="MUST",
    message="the completed CAF is incomplete",
    fields=(
        "/caf_assessments/*/status",
        "/caf_assessments/*/domains",
        "/caf_assessments/*/assessor",
        "/caf_assessments/*/actions",
        "/caf_assessments/*/lead_professional",
        "/caf_assessments/*/review_date",
    ),
    check=_check,
    applies_to=("caf_assessments",),
    doc=RuleDoc(
        checks=(
            "A CAF marked completed records something in each of the three domains (development of the child; "
            "parents and carers; family and environmental factors), names its assessor and a review date, and names "
            "a lead professional when actions were agreed. Drafts are not checked."
        ),
        why=(
            "A CAF is shared so other agencies can act on it; a partial CAF or one with no lead professional leaves "
            "no one accountable."
        ),
        fix="Complete the missing parts of the CAF form before marking it completed.",
    ),
    examples=(
        passes("complete CAF", {"child": _CHILD, "caf_assessments": [_CAF]}),
        passes("draft CAF", {"child": _CHILD, "caf_assessments": [{"caf_id": "F1"}]}),
        fails(
            "actions agreed, no lead professional, one domain empty",
            {
                "child": _CHILD,
                "caf_assessments": [
                    {
                        **_CAF,
                        "domains": {**_DOMAINS, "parents_and_carers": {}},
                        "actions": [{"description": "weekly key-worker session"}],
                    }
                ],
            },
            at=[
                "/records/0/caf_assessments/0/domains/parents_and_carers",
                "/records/0/caf_assessments/0/lead_professional",
            ],
        ),
    ),
)
