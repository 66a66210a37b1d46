"""The ics-xml reader: streaming, per-child schema validation, located issues, headers and plugin wiring."""

from __future__ import annotations

from datetime import date

from adapters.ics_xml import IcsXmlReader
from adapters.ics_xml.reader import MAX_CHILD_ELEMENTS
from gateway import Issue
from gateway.plugins import load_registry
from tests.adapters.ics_xml.documents import HEADER, NS, child, message
from tests.adapters.ics_xml.helpers import read_document


def _assert_private(issues: list[Issue], *values: str) -> None:
    for issue in issues:
        text = f"{issue.message} {issue.location.path if issue.location else ''}"
        for value in values:
            assert value not in text, f"issue {issue.rule} echoes a value"


def test_a_child_that_fails_the_schema_is_reported_where_it_is_and_the_others_still_load() -> None:
    bad = child(
        "T0002",
        "<Names><Name><Given>Zebedee</Given><Family>Quixote</Family><Given>Late</Given></Name></Names>"
        "<BirthDate>2015-13-45</BirthDate><Sex>Q</Sex><Ethnicity>WBRT</Ethnicity><Favourite>blue</Favourite>",
    )
    document = message(child("T0001", "<Sex>F</Sex>"), bad, child("T0003", "<Sex>M</Sex>"))
    outcome = read_document(document, names=("practice.xml",))
    assert [r.child.local_ids[0].la_child_id for r in outcome.records] == ["T0001", "T0003"]
    by_path = {issue.location.path: issue for issue in outcome.issues if issue.location}
    child2 = "/IcsExchange/Children/Child[2]"
    birth = by_path[f"{child2}/BirthDate"]
    assert birth.rule == "xsd/invalid-value"
    assert birth.location is not None and birth.location.line == 6 and birth.location.file == "practice.xml"
    assert birth.child == "T0002"
    assert "YYYY-MM-DD" in birth.message
    sex = by_path[f"{child2}/Sex"]
    assert "M, F, U" in sex.message
    assert "WBRI, WIRI" in by_path[f"{child2}/Ethnicity"].message
    order = by_path[f"{child2}/Names/Name[1]/Given[2]"]
    assert order.rule == "xsd/unexpected-element" and "order" in order.message
    assert by_path[f"{child2}/Favourite"].rule == "xsd/unexpected-element"
    assert all(issue.severity == "error" for issue in outcome.issues)
    _assert_private(outcome.issues, "Zebedee", "Quixote", "2015-13-45", "blue", "WBRT", "'Q'")


def test_missing_required_elements_and_attributes_are_named() -> None:
    bad = (
        "<Child><Identifiers><LocalId><LACode>201</LACode></LocalId></Identifiers>"
        "<Contacts><Contact>020 7946 0000</Contact></Contacts>"
        "<Assessments><Assessment><Kind>initial</Kind></Assessment></Assessments></Child>"
    )
    outcome = read_document(message(bad))
    messages = {issue.rule: issue.message for issue in outcome.issues}
    assert messages["xsd/missing-element"] == "<LocalId> is incomplete: <LAChildId> is missing"
    assert messages["xsd/missing-attribute"] == "<Contact> needs the attribute system"
    assert "expected <AssessmentId>" in messages["xsd/unexpected-element"]
    _assert_private(outcome.issues, "020 7946 0000")


def test_the_header_becomes_the_submission_header() -> None:
    outcome = read_document(message(child()))
    assert len(outcome.headers) == 1
    header = outcome.headers[0]
    assert (header.format_id, header.format_version, header.la_code) == ("ics-xml", "1.0", "201")
    assert header.details["message_id"] == "msg-1" and header.details["supplier"] == "acme-ics"
    assert header.details["sent_at"] == "2026-01-05T09:30:00Z"


def test_an_invalid_header_is_reported_once_and_the_children_still_load() -> None:
    header = HEADER.replace("<LACode>201</LACode>", "<LACode>21</LACode>").replace("09:30:00Z", "09:30:00")
    outcome = read_document(message(child(), header=header))
    assert len(outcome.records) == 1
    paths = sorted(issue.location.path for issue in outcome.issues if issue.location and issue.location.path)
    assert paths == ["/IcsExchange/Header/LACode", "/IcsExchange/Header/SentAt"]
    assert outcome.headers[0].la_code is None


def test_a_missing_header_is_reported_by_the_skeleton_check() -> None:
    outcome = read_document(message(child(), header=""))
    assert len(outcome.records) == 1
    assert [(i.rule, i.location.path if i.location else None) for i in outcome.errors] == [
        ("xsd/unexpected-element", "/IcsExchange/Children")
    ]
    assert "expected <Header>" in outcome.errors[0].message
    assert len(outcome.headers) == 1 and outcome.headers[0].la_code is None


def test_a_document_of_another_format_or_namespace_is_refused_with_one_clear_issue() -> None:
    for document in (
        message(child()).replace(NS.encode(), b"urn:someone-else"),
        b"<Message xmlns='http://www.dfe.gov.uk/CIN'><Header/></Message>",
    ):
        outcome = read_document(document)
        assert outcome.records == []
        assert [issue.rule for issue in outcome.issues] == ["read/not-ics-xml"]


def test_unexpected_elements_and_text_around_the_children_are_reported() -> None:
    document = message(child("T1"), "stray text", "<Note>hello</Note>", child("T2")).replace(
        b"</Children>", b"</Children>\n<Extra/>"
    )
    outcome = read_document(document)
    assert [r.child.local_ids[0].la_child_id for r in outcome.records] == ["T1", "T2"]
    rules = [(issue.rule, issue.location.path if issue.location else None) for issue in outcome.issues]
    assert ("xsd/text-not-allowed", "/IcsExchange/Children") in rules
    assert ("xsd/unexpected-element", "/IcsExchange/Children/Note") in rules
    assert ("xsd/unexpected-element", "/IcsExchange/Extra") in rules
    _assert_private(outcome.issues, "stray text", "hello")


def test_xsi_schema_location_is_ignored_and_said_so() -> None:
    attributes = (
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="urn:ecm-gateway:ics:1 http://schemas.invalid/ics.xsd"'
    )
    outcome = read_document(message(child(), root_attributes=attributes))
    assert len(outcome.records) == 1
    assert [(issue.rule, issue.severity) for issue in outcome.issues] == [
        ("read/schema-location-ignored", "information")
    ]


def test_values_are_read_the_way_the_schema_reads_them() -> None:
    body = (
        "<Names><Name><Given>  Ann  Marie </Given><Family>Sm<!-- typo fixed -->ith<?audit x?></Family></Name></Names>"
        "<BirthDate> 2015-03-01 </BirthDate><Shielded>1</Shielded>"
        "<Assessments><Assessment><AssessmentId> A 1 </AssessmentId><Kind>core</Kind>"
        '<ChildSeen known="false"/></Assessment></Assessments><Purge>0</Purge>'
    )
    outcome = read_document(message(child("  T0009\n", body)))
    assert outcome.issues == []
    record = outcome.records[0]
    assert record.child.local_ids[0].la_child_id == "T0009"  # identifiers: white space collapsed
    assert record.child.names[0].given == ("  Ann  Marie ",)  # free text: kept exactly
    assert record.child.names[0].family == "Smith"
    assert record.child.birth_date == date(2015, 3, 1)
    assert record.child.shielded is True and record.purge is False
    assessment = record.assessments[0]
    assert assessment.assessment_id == "A 1" and assessment.child_seen_known is False
    assert assessment.child_seen_dates == ()
    lineage = {entry.field: entry for entry in record.lineage}
    assert lineage["/assessments/0/child_seen_known"].source.path.endswith("/Assessment[1]/ChildSeen/@known")


def test_a_child_with_too_many_elements_is_refused_and_the_next_still_loads() -> None:
    huge = child("BIG", "<Carers>" + "<Carer/>" * (MAX_CHILD_ELEMENTS + 1) + "</Carers>")
    outcome = read_document(message(huge, child("T2")))
    assert [issue.rule for issue in outcome.issues] == ["read/child-too-large"]
    assert outcome.issues[0].child == "BIG"
    assert [r.child.local_ids[0].la_child_id for r in outcome.records] == ["T2"]


def test_files_of_one_submission_share_one_header_and_must_agree_on_the_la() -> None:
    other = message(child("T9")).replace(b"<LACode>201</LACode><SentAt>", b"<LACode>202</LACode><SentAt>")
    outcome = read_document(message(child("T1")), other)
    assert len(outcome.headers) == 1 and outcome.headers[0].la_code == "201"
    assert len(outcome.records) == 2
    assert [issue.rule for issue in outcome.issues] == ["read/header-mismatch"]
    assert outcome.issues[0].location is not None and outcome.issues[0].location.file == "message-2.xml"


def test_sniff_recognises_ics_xml_only() -> None:
    reader = IcsXmlReader()
    assert reader.sniff("anything.xml", message(child())[:4096])
    assert not reader.sniff("cin.xml", b"<?xml version='1.0'?><Message><Header><CollectionDetails>")
    assert not reader.sniff("x.jsonl", b'{"child": {}}')


def test_the_adapter_registers_its_reader_and_writer_through_the_entry_points() -> None:
    registry = load_registry()
    assert isinstance(registry.reader("ics-xml"), IcsXmlReader)
    assert registry.writers["ics-xml"].media_type == "application/xml"
    loaded = next(p for p in registry.plugins if p.plugin.name == "ics-xml")
    assert loaded.builtin


def test_format_detection_picks_ics_xml_for_an_ics_xml_document() -> None:
    registry = load_registry()
    assert registry.detect("message.xml", message(child())) is registry.reader("ics-xml")


def test_only_xml_white_space_may_separate_the_children() -> None:
    assert read_document(message(child("T1"), "\n\t \r", child("T2"))).issues == []
    outcome = read_document(message(child("T1"), "\u00a0", child("T2")))  # a no-break space is text in XML
    assert [issue.rule for issue in outcome.issues] == ["xsd/text-not-allowed"]
