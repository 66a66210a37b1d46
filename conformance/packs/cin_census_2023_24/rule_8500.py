"""cin/8500: the child has an LA child id."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for local in child_record.child.local_ids:
        if local.la_child_id.strip():
            return
    yield Finding("/child/local_ids")


RULE = RecordRule(
    id="cin/8500",
    pack="cin-census-2023-24",
    strength="MUST",
    message="LA Child ID missing",
    fields=("/child/local_ids",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "The child has an LAchildID. (The gateway qualifies it with the header's LEA: a file without a valid "
            "LEA also leaves the child without a local id, and the reader says so once for the file.)"
        ),
        why="The LA child id is how the LA, the DfE and the gateway find this child's record again.",
        fix="Send the council's child reference in LAchildID for every child.",
    ),
    examples=(
        passes("has an id", {"child": {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}}),
        fails("no id", {"child": {"birth_date": "2015-06-01"}}, at=["/records/0/child/local_ids"]),
    ),
)
