"""ics-xml carries the looked-after parts beyond episodes (UASC, outcomes, care leaver, adoption, previous
permanence): an empty element still says something, and a code outside the DfE's lists is a located issue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adapters.ics_xml.writer import write_message
from gateway import AdoptionDecision, Child, ChildRecord, LookedAfterOutcomes, UascStatus
from tests.adapters.ics_xml.helpers import read_document

SENT_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _message(record: ChildRecord) -> bytes:
    return write_message([record], message_id="m-1", supplier="care", la_code="201", sent_at=SENT_AT)


def test_an_empty_uasc_element_says_uasc_and_has_lineage() -> None:
    record = ChildRecord(child=Child(), uasc=UascStatus(), adoption_decisions=(AdoptionDecision(),))
    data = _message(record)
    assert b"<UASC/>" in data
    outcome = read_document(data)
    assert outcome.issues == []
    (back,) = outcome.records
    assert back.uasc == UascStatus() and back.adoption_decisions == (AdoptionDecision(),)
    sources = {entry.field: entry.source for entry in back.lineage}
    assert sources["/uasc"].path == "/IcsExchange/Children/Child[1]/UASC"
    assert sources["/adoption_decisions/0"].path.endswith("/AdoptionDecisions/AdoptionDecision[1]")


def test_values_are_read_with_their_element_as_lineage() -> None:
    record = ChildRecord(
        child=Child(),
        uasc=UascStatus(ceased_date=date(2025, 5, 14)),
        looked_after_outcomes=LookedAfterOutcomes(sdq_score=0, dental_check=False),
    )
    (back,) = read_document(_message(record)).records
    assert back.model_copy(update={"lineage": ()}) == record
    sources = {entry.field: entry for entry in back.lineage}
    assert sources["/looked_after_outcomes/sdq_score"].source.path.endswith("/LookedAfterOutcomes/SDQScore")
    assert sources["/uasc/ceased_date"].step == "ics-xml:CeasedDate"


def test_codes_outside_the_dfe_lists_are_schema_issues_located_at_the_element() -> None:
    record = ChildRecord(child=Child(), looked_after_outcomes=LookedAfterOutcomes(sdq_score=12))
    data = _message(record).replace(b"<SDQScore>12</SDQScore>", b"<SDQScore>41</SDQScore>")
    outcome = read_document(data)
    assert outcome.records == []
    (issue,) = outcome.issues
    assert issue.rule.startswith("xsd/")
    assert issue.location is not None
    assert issue.location.path == "/IcsExchange/Children/Child[1]/LookedAfterOutcomes/SDQScore"
    leaver = _message(ChildRecord(child=Child(), uasc=UascStatus())).replace(
        b"<UASC/>", b"<CareLeaver><Activity>Q9</Activity></CareLeaver>"
    )
    (issue,) = read_document(leaver).issues
    assert issue.location is not None and issue.location.path.endswith("/CareLeaver/Activity")
    assert "F2" in issue.message  # names the allowed codes, not the value sent
