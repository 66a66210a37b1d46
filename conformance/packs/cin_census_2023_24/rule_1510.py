"""cin/1510: a UPN's check letter (character 1) is right."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import upn_problems_of
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import UpnProblem

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    upn = child_record.child.upn
    if upn is not None:
        problems = upn_problems_of(upn)
        if UpnProblem.CHECK_LETTER in problems or UpnProblem.LENGTH in problems:
            yield Finding("/child/upn")


RULE = RecordRule(
    id="cin/1510",
    pack="cin-census-2023-24",
    strength="MUST",
    message="UPN invalid (wrong check letter at character 1)",
    fields=("/child/upn",),
    check=_check,
    doc=RuleDoc(
        checks=(
            "If a UPN is present, its first character is the check letter the DfE algorithm gives for characters "
            "2-13 (a UPN that is not 13 characters long cannot have a right check letter)."
        ),
        why="A UPN with a wrong check letter was mistyped and would not match the child's school census record.",
        fix="Take the UPN again from the school or the DfE; leave it out and give UPNunknown if it is not known.",
    ),
    examples=(
        passes("valid UPN", record({"upn": "A950000178301"})),
        fails("check letter Q where P is right", record({"upn": "Q207000016049"}), at=["/records/0/child/upn"]),
    ),
)
