"""cin/8510: no two children in the return share an LA child id (LA level)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Entry, Outcome, RuleDoc, SubmissionRule, fails, passes

__all__ = ["RULE"]


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    for index, local in enumerate(child_record.child.local_ids[:1]):
        yield f"/child/local_ids/{index}/la_child_id", (local.la_code, local.la_child_id)


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    counts = Counter(entry.value for entry in entries)
    return (entry for entry in entries if counts[entry.value] > 1)


RULE = SubmissionRule(
    id="cin/8510",
    pack="cin-census-2023-24",
    strength="MUST",
    message="More than one child record with the same LA Child ID",
    fields=("/child/local_ids",),
    summarise=_summarise,
    judge=_judge,
    doc=RuleDoc(
        checks="Each LAchildID appears on one child only within the LA's return (every repeat is reported).",
        why="The LA child id identifies the child; two records with one id are one child split in two, or a typo.",
        fix="Merge the two records into one child, or correct the id of the child it does not belong to.",
    ),
    examples=(
        passes("different ids", record(), record(la_child_id="C2")),
        fails(
            "repeated id",
            record(),
            record(),
            at=["/records/0/child/local_ids/0/la_child_id", "/records/1/child/local_ids/0/la_child_id"],
        ),
    ),
)
