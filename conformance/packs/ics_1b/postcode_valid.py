"""ics-1b/postcode-valid: a postcode, when given, has the shape of a UK postcode."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import is_valid_uk_postcode

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, address in enumerate(record.child.addresses):
        if address.postcode is not None and not is_valid_uk_postcode(address.postcode):
            yield Finding(f"/child/addresses/{index}/postcode")
    for carer_index, carer in enumerate(record.carers):
        for index, address in enumerate(carer.addresses):
            if address.postcode is not None and not is_valid_uk_postcode(address.postcode):
                yield Finding(f"/carers/{carer_index}/addresses/{index}/postcode")


RULE = RecordRule(
    id="ics-1b/postcode-valid",
    pack="ics-1b",
    strength="SHOULD",
    message="a postcode does not have the shape of a UK postcode",
    fields=("/child/addresses/*/postcode", "/carers/*/addresses/*/postcode"),
    check=_check,
    doc=RuleDoc(
        checks="Every postcode of the child's and carers' addresses has the shape of a UK postcode (e.g. SW1A 1AA).",
        why=(
            "Postcodes are used to find a child in the directory and to block duplicate matching; a wrong one hides a "
            "match."
        ),
        fix="Correct the postcode, or leave it out when it is not known (an address may have none).",
    ),
    examples=(
        passes("valid postcode", {"child": {**_ID, "addresses": [{"postcode": "sw1a 1aa"}]}}),
        fails(
            "not a postcode",
            {"child": {**_ID}, "carers": [{"addresses": [{"postcode": "12345"}]}]},
            at=["/records/0/carers/0/addresses/0/postcode"],
        ),
    ),
)
