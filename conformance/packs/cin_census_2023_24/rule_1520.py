"""cin/1520: no two children in the return share a UPN (LA level)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Entry, Outcome, RuleDoc, SubmissionRule, fails, passes

__all__ = ["RULE"]


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    if child_record.child.upn:
        yield "/child/upn", child_record.child.upn


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    counts = Counter(entry.value for entry in entries)
    return (entry for entry in entries if counts[entry.value] > 1)


RULE = SubmissionRule(
    id="cin/1520",
    pack="cin-census-2023-24",
    strength="MUST",
    message="More than one record with the same UPN.",
    fields=("/child/upn",),
    summarise=_summarise,
    judge=_judge,
    doc=RuleDoc(
        checks="Each UPN appears on one child only across the whole return (every child sharing it is reported).",
        why="Two children with one UPN are either the same child recorded twice or a mistyped UPN.",
        fix="Merge the duplicate records, or correct the UPN of the child it does not belong to.",
    ),
    examples=(
        passes(
            "different UPNs",
            record({"upn": "A201000012345"}),
            record({"upn": "A201000012346"}, la_child_id="C2"),
        ),
        fails(
            "shared UPN",
            record({"upn": "A201000012345"}),
            record({"upn": "A201000012345"}, la_child_id="C2"),
            at=["/records/0/child/upn", "/records/1/child/upn"],
        ),
    ),
)
