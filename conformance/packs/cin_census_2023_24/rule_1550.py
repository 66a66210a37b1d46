"""cin/1550: character 13 of a UPN is a digit or an allowed letter."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import upn_problems_of
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import UpnProblem

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    upn = child_record.child.upn
    if upn is not None and UpnProblem.FINAL_CHARACTER in upn_problems_of(upn):
        yield Finding("/child/upn")


RULE = RecordRule(
    id="cin/1550",
    pack="cin-census-2023-24",
    strength="MUST",
    message="UPN invalid (character 13 not a recognised value)",
    fields=("/child/upn",),
    check=_check,
    doc=RuleDoc(
        checks="If a UPN is present (13 characters), character 13 is a digit or a letter A-Z other than I, O and S.",
        why="A temporary UPN ends in a letter from the DfE alphabet; any other final character is a typing error.",
        fix="Correct the UPN from the school's records.",
    ),
    examples=(
        passes("temporary UPN", record({"upn": "X00180001701A"})),
        fails("ends in S", record({"upn": "X00180001701S"}), at=["/records/0/child/upn"]),
    ),
)
