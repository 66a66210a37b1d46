"""cin/2888Q: some child with a disability has more than one recorded (LA level)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Entry, Finding, Outcome, RuleDoc, SubmissionRule, fails, passes

__all__ = ["RULE"]


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    count = sum(1 for code in child_record.child.disabilities if code != "NONE")
    if count:
        yield "/child/disabilities", count


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    if entries and max(entry.value for entry in entries) <= 1:
        yield Finding("")


RULE = SubmissionRule(
    id="cin/2888Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend or provide a reason: Only one disability code is recorded per child and "
        "multiple disabilities should be recorded where possible."
    ),
    fields=("/child/disabilities",),
    summarise=_summarise,
    judge=_judge,
    located=False,
    doc=RuleDoc(
        checks="Excluding NONE, at least one child with a disability has more than one Disability code recorded.",
        why=(
            "Across an LA some children have several disabilities; one code each suggests the extract keeps only the "
            "first."
        ),
        fix="Check the extract sends every disability recorded for a child.",
    ),
    examples=(
        passes(
            "one child with two",
            record({"disabilities": ["HAND", "HEAR"]}),
            record({"disabilities": ["VIS"]}, la_child_id="C2"),
        ),
        fails(
            "one each", record({"disabilities": ["HAND"]}), record({"disabilities": ["VIS"]}, la_child_id="C2"), at=[""]
        ),
    ),
)
