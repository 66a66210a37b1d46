"""ics-1b/upn-valid: a UPN (and any former UPN) has the DfE shape and check letter; the unknown reason is a DfE code."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import is_valid_upn, is_valid_upn_unknown_reason

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    child = record.child
    if child.upn is not None and not is_valid_upn(child.upn):
        yield Finding("/child/upn")
    for index, former in enumerate(child.former_upns):
        if not is_valid_upn(former):
            yield Finding(f"/child/former_upns/{index}")
    if child.upn_unknown_reason is not None and not is_valid_upn_unknown_reason(child.upn_unknown_reason):
        yield Finding("/child/upn_unknown_reason", "UN1 to UN7")


RULE = RecordRule(
    id="ics-1b/upn-valid",
    pack="ics-1b",
    strength="MUST",
    message="a UPN is not valid (13 characters with the DfE check letter) or the UPN unknown reason is not a DfE code",
    fields=("/child/upn", "/child/former_upns", "/child/upn_unknown_reason"),
    check=_check,
    doc=RuleDoc(
        checks=(
            "The UPN and every former UPN are 13 characters: a check letter computed by the DfE algorithm, the DfE "
            "LA number, eight digits and a final digit or (temporary UPN) letter. The UPN unknown reason is UN1-UN7."
        ),
        why="The UPN links a child's social care record with their school record across councils.",
        fix="Take the UPN from the school census / Key to Success; if it is not known, send the reason (UN1-UN7).",
    ),
    examples=(
        passes(
            "valid UPN and temporary former UPN",
            {"child": {**_ID, "upn": "A950000178301", "former_upns": ["X00180001701A"]}},
        ),
        fails("wrong check letter", {"child": {**_ID, "upn": "Q207000016049"}}, at=["/records/0/child/upn"]),
        fails(
            "unknown reason not a DfE code",
            {"child": {**_ID, "upn_unknown_reason": "UN9"}},
            at=["/records/0/child/upn_unknown_reason"],
        ),
    ),
)
