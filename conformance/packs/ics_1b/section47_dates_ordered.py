"""ics-1b/section47-dates-ordered: a section 47 enquiry's conference is not before the enquiry started."""

from __future__ import annotations

from collections.abc import Iterator

from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]

_CHILD = {"local_ids": [{"la_code": "201", "la_child_id": "C1"}], "birth_date": "2015-01-01"}


def _check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    for index, enquiry in enumerate(record.section47_enquiries):
        start = enquiry.start_date
        if start is None:
            continue
        if enquiry.icpc_date is not None and enquiry.icpc_date < start:
            yield Finding(f"/section47_enquiries/{index}/icpc_date")
        if enquiry.icpc_target_date is not None and enquiry.icpc_target_date < start:
            yield Finding(f"/section47_enquiries/{index}/icpc_target_date")


RULE = RecordRule(
    id="ics-1b/section47-dates-ordered",
    pack="ics-1b",
    strength="MUST",
    message="the initial child protection conference (or its target date) is before the section 47 enquiry started",
    fields=(
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/section47_enquiries/*/icpc_target_date",
    ),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "A section 47 enquiry's initial child protection conference and its target date are on or after its start."
        ),
        why="The conference follows the enquiry; reversed dates hide whether the 15-working-day timescale was met.",
        fix="Correct the enquiry's start date or the conference date.",
    ),
    examples=(
        passes(
            "conference after the enquiry",
            {
                "child": _CHILD,
                "section47_enquiries": [{"enquiry_id": "S1", "start_date": "2024-03-01", "icpc_date": "2024-03-15"}],
            },
        ),
        fails(
            "conference before the enquiry",
            {
                "child": _CHILD,
                "section47_enquiries": [{"enquiry_id": "S1", "start_date": "2024-03-01", "icpc_date": "2024-02-15"}],
            },
            at=["/records/0/section47_enquiries/0/icpc_date"],
        ),
    ),
)
