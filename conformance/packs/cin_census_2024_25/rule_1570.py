"""cin/1570 (added 2024-25): an LA child id is at most 20 characters long."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, local in enumerate(child_record.child.local_ids):
        if len(local.la_child_id) > 20:
            yield Finding(f"/child/local_ids/{index}/la_child_id")


RULE = RecordRule(
    id="cin/1570",
    pack="cin-census-2024-25",
    strength="MUST",
    message="LA Child ID must not be longer than 20 characters",
    fields=("/child/local_ids/*/la_child_id",),
    check=_check,
    doc=RuleDoc(
        checks="LAchildID is no longer than 20 characters.",
        why="DfE stores LA child ids of up to 20 characters; longer ones are cut and then collide.",
        fix="Use the council's child reference of at most 20 letters and digits.",
    ),
    examples=(
        passes("20 characters", {"child": {"local_ids": [{"la_code": "201", "la_child_id": "A" * 20}]}}),
        fails(
            "23 characters",
            {"child": {"local_ids": [{"la_code": "201", "la_child_id": "child_fails_assessment"}]}},
            at=["/records/0/child/local_ids/0/la_child_id"],
        ),
    ),
)
