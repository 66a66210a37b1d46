"""cin/1540: characters 5-12 of a UPN are digits."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import upn_problems_of
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import UpnProblem

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    upn = child_record.child.upn
    if upn is not None and UpnProblem.NOT_NUMERIC in upn_problems_of(upn):
        yield Finding("/child/upn")


RULE = RecordRule(
    id="cin/1540",
    pack="cin-census-2023-24",
    strength="MUST",
    message="UPN invalid (characters 5-12 not all numeric)",
    fields=("/child/upn",),
    check=_check,
    doc=RuleDoc(
        checks="If a UPN is present (13 characters), characters 5 to 12 are all digits.",
        why="Characters 5-12 are the school's serial number; letters there mean the UPN was mistyped.",
        fix="Correct the UPN from the school's records.",
    ),
    examples=(
        passes("digits", record({"upn": "A201000012345"})),
        fails("letter O for zero", record({"upn": "A2010O0012345"}), at=["/records/0/child/upn"]),
    ),
)
