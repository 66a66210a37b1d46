"""ics-1b/child-local-id: a child has an LA code and a valid LA child id."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import is_valid_la_child_id, is_valid_la_number

__all__ = ["RULE"]


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    local_ids = record.child.local_ids
    if not local_ids:
        yield Finding("/child/local_ids")
        return
    for index, local_id in enumerate(local_ids):
        if not is_valid_la_number(local_id.la_code):
            yield Finding(f"/child/local_ids/{index}/la_code", "not a DfE LA number")
        if not is_valid_la_child_id(local_id.la_child_id):
            yield Finding(f"/child/local_ids/{index}/la_child_id", "1 to 20 letters and digits")


RULE = RecordRule(
    id="ics-1b/child-local-id",
    pack="ics-1b",
    strength="MUST",
    message="the child has no valid local id: a DfE LA number and an LA child id",
    fields=("/child/local_ids",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "The child has at least one local id; each names a DfE LA number and an LA child id of 1 to 20 "
            "letters and digits."
        ),
        why=(
            "The LA code and the council's own child id are how every later message about the same child finds "
            "its record; without them each message creates another file for the child."
        ),
        fix="Send the council's child reference (LAchildID) and the council's DfE LA number with every child.",
    ),
    examples=(
        passes("LA 201, id C123", {"child": {"local_ids": [{"la_code": "201", "la_child_id": "C123"}]}}),
        fails("no local id", {"child": {"birth_date": "2015-01-01"}}, at=["/records/0/child/local_ids"]),
        fails(
            "LA child id with punctuation",
            {"child": {"local_ids": [{"la_code": "201", "la_child_id": "C-123"}]}},
            at=["/records/0/child/local_ids/0/la_child_id"],
        ),
        fails(
            "unknown LA number",
            {"child": {"local_ids": [{"la_code": "999", "la_child_id": "C123"}]}},
            at=["/records/0/child/local_ids/0/la_code"],
        ),
    ),
)
