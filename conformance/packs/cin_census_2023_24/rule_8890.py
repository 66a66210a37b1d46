"""cin/8890: a section 47 enquiry does not start while another in the same episode is ongoing."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.census import NO_REFERENCE_DATE, by_episode, census_reference
from conformance.census_examples import episode, record, section47
from gateway import CheckContext, ChildRecord, Finding, Outcome, RecordRule, RuleDoc, fails, passes

__all__ = ["RULE"]


def _check(child_record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
    if len(child_record.section47_enquiries) < 2:
        return
    reference = census_reference(context)
    for group in by_episode(child_record.section47_enquiries).values():
        for index, part in group:
            start = part.start_date
            if start is None:
                continue
            for other_index, other in group:
                if other_index == index or other.start_date is None or start < other.start_date:
                    continue
                if other.start_date == start and other.icpc_date == part.icpc_date:
                    continue  # the same enquiry sent twice is not an overlap of two
                if other.icpc_date is not None:
                    inside = start <= other.icpc_date
                elif other.icpc_not_required is not True:
                    if reference is None:
                        yield NO_REFERENCE_DATE
                        return
                    inside = start <= reference
                else:
                    inside = False
                if inside:
                    yield Finding(f"/section47_enquiries/{index}/start_date")
                    break


RULE = RecordRule(
    id="cin/8890",
    pack="cin-census-2023-24",
    strength="MUST",
    message="A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing",
    fields=(
        "/section47_enquiries/*/start_date",
        "/section47_enquiries/*/icpc_date",
        "/section47_enquiries/*/icpc_not_required",
    ),
    check=_check,
    applies_to=("section47_enquiries",),
    doc=RuleDoc(
        checks=(
            "Within one episode, no S47ActualStartDate falls on or between another enquiry's start and its "
            "DateOfInitialCPC, or - for an enquiry with no conference date and ICPCnotRequired not true - its start "
            "and the ReferenceDate."
        ),
        why=(
            "Two concurrent section 47 enquiries for one child in one episode are almost always one enquiry recorded "
            "twice."
        ),
        fix="Record the first enquiry's conference date (or not required), or merge the enquiries.",
    ),
    examples=(
        passes(
            "one after the other",
            record(
                cin_episodes=[episode()],
                section47_enquiries=[
                    section47(start_date="2023-05-01", icpc_date="2023-05-20"),
                    section47("S2", start_date="2023-06-01", icpc_not_required=True),
                ],
            ),
        ),
        fails(
            "second during the first",
            record(
                cin_episodes=[episode()],
                section47_enquiries=[
                    section47(start_date="2023-05-01", icpc_date="2023-05-20"),
                    section47("S2", start_date="2023-05-10", icpc_not_required=True),
                ],
            ),
            at=["/records/0/section47_enquiries/1/start_date"],
        ),
    ),
)
