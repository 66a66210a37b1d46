"""cin/1530: characters 2-4 of a UPN are a recognised DfE LA code."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import upn_la_number_recognised

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    upn = child_record.child.upn
    if upn is not None and len(upn) == 13 and not upn_la_number_recognised(upn):
        yield Finding("/child/upn")


RULE = RecordRule(
    id="cin/1530",
    pack="cin-census-2023-24",
    strength="MUST",
    message="UPN invalid (characters 2-4 not a recognised LA code)",
    fields=("/child/upn",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "If a UPN is present, characters 2-4 are a post-April-1998 DfE LA code or a recognised pseudo-LA code "
            "(001-005, 201-213, 301-320 ... 940-943; the list in gateway.identifiers, which since 2023-24 includes "
            "Cumberland 942 and Westmorland and Furness 943)."
        ),
        why="Characters 2-4 name the LA that issued the UPN; an unknown code means the UPN was mistyped or invented.",
        fix="Correct the UPN from the school's records.",
    ),
    examples=(
        passes("LA 201", record({"upn": "A201000012345"})),
        passes("Cumberland (from 2023)", record({"upn": "A942000012345"})),
        fails("LA 999 does not exist", record({"upn": "A999000012345"}), at=["/records/0/child/upn"]),
    ),
)
