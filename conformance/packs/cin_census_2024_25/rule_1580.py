"""cin/1580 (added 2024-25): an LA child id has letters and digits only."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, local in enumerate(child_record.child.local_ids):
        value = local.la_child_id
        if not (value.isascii() and value.isalnum()):
            yield Finding(f"/child/local_ids/{index}/la_child_id")


RULE = RecordRule(
    id="cin/1580",
    pack="cin-census-2024-25",
    strength="MUST",
    message="LA Child ID must not contain any non-alphanumeric characters",
    fields=("/child/local_ids/*/la_child_id",),
    check=_check,
    doc=RuleDoc(
        checks="LAchildID contains only the letters A-Z, a-z and the digits 0-9.",
        why="Punctuation and spaces in ids are lost or changed between systems, splitting one child into two.",
        fix="Send the council's child reference without spaces, hyphens or other punctuation.",
    ),
    examples=(
        passes("letters and digits", {"child": {"local_ids": [{"la_code": "201", "la_child_id": "DfEX0000001"}]}}),
        fails(
            "underscores",
            {"child": {"local_ids": [{"la_code": "201", "la_child_id": "child_fails"}]}},
            at=["/records/0/child/local_ids/0/la_child_id"],
        ),
    ),
)
