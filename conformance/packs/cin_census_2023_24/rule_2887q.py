"""cin/2887Q: the return uses at least 8 different disability codes (LA level)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Entry, Finding, Outcome, RuleDoc, SubmissionRule, fails, passes

__all__ = ["RULE"]

_CODES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS")


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    for index, code in enumerate(child_record.child.disabilities):
        if code != "NONE":
            yield f"/child/disabilities/{index}", code


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    if len({entry.value for entry in entries}) <= 7:
        yield Finding("")


RULE = SubmissionRule(
    id="cin/2887Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend or provide a reason: Less than 8 disability codes have been used in your return"
    ),
    fields=("/child/disabilities",),
    summarise=_summarise,
    judge=_judge,
    located=False,
    doc=RuleDoc(
        checks="Excluding NONE, more than 7 different Disability codes are used across the LA's return.",
        why=(
            "A whole LA's children in need nearly always span most disability codes; few codes suggest a mapping fault."
        ),
        fix="Check the extract maps every disability your system records to the DfE codes.",
    ),
    examples=(
        passes(
            "eight codes", *[record({"disabilities": [code]}, la_child_id=f"C{n}") for n, code in enumerate(_CODES)]
        ),
        fails(
            "two codes",
            record({"disabilities": ["HAND", "HEAR"]}),
            record({"disabilities": ["NONE"]}, la_child_id="C2"),
            at=[""],
        ),
    ),
)
