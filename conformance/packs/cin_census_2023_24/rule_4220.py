"""cin/4220: the child's ethnicity is a DfE ethnicity code."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import ETHNICITIES
from conformance.census_examples import record
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_DFE = "https://www.gov.uk/government/publications/dfe-ethnicity-codes"


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    ethnicity = child_record.child.ethnicity
    if ethnicity is None or ethnicity.code not in ETHNICITIES:
        yield Finding("/child/ethnicity")


RULE = RecordRule(
    id="cin/4220",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Ethnicity is missing or invalid (see Ethnicity table)",
    fields=("/child/ethnicity",),
    check=_check,
    doc=RuleDoc(
        checks="Ethnicity is present and one of the DfE ethnicity codes (WBRI ... NOBT, REFU for refused).",
        why="Ethnicity is collected for every child in need so that DfE can monitor fairness of services.",
        fix="Record the DfE ethnicity code; REFU if the family refused, NOBT if it has not yet been obtained.",
    ),
    examples=(
        passes("WBRI", record({"ethnicity": {"system": _DFE, "code": "WBRI"}})),
        fails("missing", record(), at=["/records/0/child/ethnicity"]),
        fails(
            "not a DfE code", record({"ethnicity": {"system": _DFE, "code": "A"}}), at=["/records/0/child/ethnicity"]
        ),
    ),
)
