"""ics-1b/nhs-number-valid: an NHS number, when given, passes the modulus 11 check."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes
from gateway.identifiers import is_valid_nhs_number

__all__ = ["RULE"]

_ID = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    number = record.child.nhs_number
    if number is not None and not is_valid_nhs_number(number):
        yield Finding("/child/nhs_number")


RULE = RecordRule(
    id="ics-1b/nhs-number-valid",
    pack="ics-1b",
    strength="MUST",
    message="the NHS number is not valid (10 digits with a correct modulus 11 check digit)",
    fields=("/child/nhs_number",),
    check=_check,
    doc=RuleDoc(
        checks="An NHS number, when present, is ten digits whose last digit is the modulus 11 check digit.",
        why=(
            "A mistyped NHS number links a child to another person's health record, or to none; the check digit "
            "catches almost every single-digit error and transposition."
        ),
        fix="Re-take the NHS number from the NHS Personal Demographics Service; leave it out if it is not known.",
    ),
    examples=(
        passes("valid number", {"child": {**_ID, "nhs_number": "9434765919"}}),
        passes("no number", {"child": _ID}),
        fails(
            "UK Core example with a wrong check digit",
            {"child": {**_ID, "nhs_number": "9912003890"}},
            at=["/records/0/child/nhs_number"],
        ),
    ),
)
