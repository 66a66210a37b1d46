"""cin/2886Q (2023-24): no more than 2% of born children have no gender recorded (LA level)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Entry, Finding, Outcome, RuleDoc, SubmissionRule, fails, passes

__all__ = ["RULE"]

_THRESHOLD = 0.02


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    child = child_record.child
    yield "/child/sex", child.sex in (None, "U") and child.expected_birth_date is None


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    if entries and sum(1 for entry in entries if entry.value) / len(entries) > _THRESHOLD:
        yield Finding("")


RULE = SubmissionRule(
    id="cin/2886Q",
    pack="cin-census-2023-24",
    strength="SHOULD",
    message=(
        "Please check and either amend or provide a reason: Percentage of children with no gender recorded is more "
        "than 2% (excluding unborns)"
    ),
    fields=("/child/sex", "/child/expected_birth_date"),
    summarise=_summarise,
    judge=_judge,
    located=False,
    doc=RuleDoc(
        checks=(
            "Across the return, the children with GenderCurrent 0 or missing and no ExpectedPersonBirthDate are at "
            "most 2% of all children. (Canonical sex U also covers gender 9, so those are counted too.)"
        ),
        why="A high share of unrecorded gender signals a recording or extract problem across the return.",
        fix="Record the gender of the children where it is known.",
    ),
    examples=(
        passes("all recorded", *[record({"sex": "M"}, la_child_id=f"C{n}") for n in range(3)]),
        fails(
            "one in three not recorded",
            record({"sex": "M"}),
            record({"sex": "F"}, la_child_id="C2"),
            record(la_child_id="C3"),
            at=[""],
        ),
    ),
)
