"""ics-1c/national-id-or-reason: a child has an NHS number or a UPN, or a recorded reason for having neither."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if not child.nhs_number and not child.upn and not child.upn_unknown_reason:
        yield Finding("/child/nhs_number")


RULE = RecordRule(
    id="ics-1c/national-id-or-reason",
    pack="ics-1c",
    strength="MUST",
    message="the child has no NHS number or UPN and no recorded reason for their absence",
    fields=("/child/nhs_number", "/child/upn", "/child/upn_unknown_reason"),
    check=_check,
    doc=RuleDoc(
        checks="The child has an NHS number or a UPN, or a UPN unknown reason (UN1-UN7) says why neither is known.",
        why=(
            "National identifiers are how the directory joins up health, education and social care records for one "
            "child; a recorded reason shows the absence was considered, not overlooked."
        ),
        fix="Add the NHS number (from PDS) or the UPN, or record why it is not known (e.g. UN6 for an unborn child).",
    ),
    examples=(
        passes("NHS number", {"child": {**_ID, "nhs_number": "9434765919"}}),
        passes("reason recorded", {"child": {**_ID, "upn_unknown_reason": "UN1"}}),
        fails("neither", {"child": _ID}, at=["/records/0/child/nhs_number"]),
    ),
)
