"""ics-1c/shielded-whereabouts: a shielded child has a recorded reason; no whereabouts leave in the directory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.views import directory_view

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}
_ADDRESS = {"lines": ["1 Example Street"], "postcode": "EC1A 1BB"}
_PHONE = {"system": "phone", "value": "020 7946 0000"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if not child.shielded:
        return
    if not (child.shielding_reason or "").strip():
        yield Finding("/child/shielding_reason", "no shielding reason recorded")
    projected = (
        record if child.child_id else record.model_copy(update={"child": child.model_copy(update={"child_id": "-"})})
    )
    entry = directory_view(projected, at=datetime.combine(context.today, time(12), tzinfo=UTC))
    if entry.address is not None or any(carer.contacts or carer.address for carer in entry.carers):
        yield Finding("/child/shielded", "the directory view would disclose an address or contact")


RULE = RecordRule(
    id="ics-1c/shielded-whereabouts",
    pack="ics-1c",
    strength="MUST",
    message="a shielded child's shielding is not safe: its reason must be recorded and its whereabouts withheld",
    fields=(
        "/child/shielded",
        "/child/shielding_reason",
        "/child/addresses",
        "/carers/*/addresses",
        "/carers/*/contacts",
    ),
    check=_check,
    doc=RuleDoc(
        checks=(
            "A shielded child records why it is shielded, and the child's directory view (as the gateway would route "
            "it) carries no address or contact of the child or its carers."
        ),
        why=(
            "Shielding protects children whose whereabouts must not be known (for example fleeing domestic abuse); "
            "ContactPoint hid their and their carers' addresses and contacts. An unexplained shield cannot be "
            "reviewed or lifted safely."
        ),
        fix="Record the shielding reason with the shielding flag.",
    ),
    examples=(
        passes(
            "shielded with a reason; addresses withheld from the view",
            {
                "child": {**_ID, "shielded": True, "shielding_reason": "court order", "addresses": [_ADDRESS]},
                "carers": [{"relationship": "mother", "contacts": [_PHONE], "addresses": [_ADDRESS]}],
            },
        ),
        passes("not shielded", {"child": {**_ID, "addresses": [_ADDRESS]}}),
        fails(
            "shielded without a reason",
            {"child": {**_ID, "shielded": True, "addresses": [_ADDRESS]}},
            at=["/records/0/child/shielding_reason"],
        ),
    ),
)
