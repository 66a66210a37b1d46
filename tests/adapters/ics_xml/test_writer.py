"""The ics-xml writer: schema-valid output, and a clear refusal (field named, value never) for what it cannot carry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from adapters._xml import parse_hardened
from adapters.ics_xml import IcsXmlWriter
from adapters.ics_xml.encoder import UnrepresentableRecord
from adapters.ics_xml.schema import ics_schema
from adapters.ics_xml.writer import iter_message_chunks, write_message
from gateway import (
    CafAssessment,
    Child,
    ChildRecord,
    Coding,
    Consent,
    GatewayError,
    LocalId,
    PersonName,
)
from gateway.codes import NHS_ETHNIC_CATEGORY
from tests.adapters.ics_xml.helpers import read_document, without_lineage

SENT_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _record(**child: object) -> ChildRecord:
    return ChildRecord(child=Child(local_ids=(LocalId(la_code="201", la_child_id="W1"),), **child))  # type: ignore[arg-type]


def _write(*records: ChildRecord) -> bytes:
    return write_message(list(records), message_id="w-1", supplier="writer-test", la_code="201", sent_at=SENT_AT)


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (_record(nhs_number="943 476 5919"), "/records/0"),
        (_record(names=(PersonName(family="Smith\x07"),)), "/child/names/0/family"),
        (_record(upn="A95000017830"), "/records/0"),
        (_record(ethnicity=Coding(system=NHS_ETHNIC_CATEGORY, code="A")), "/child/ethnicity/system"),
        (
            _record(
                ethnicity=Coding(system="https://www.gov.uk/government/publications/dfe-ethnicity-codes", code="XXXX")
            ),
            "/records/0",
        ),
        (
            ChildRecord(child=Child(local_ids=(LocalId(la_code="201", la_child_id=" W1"),))),
            "/child/local_ids/0/la_child_id",
        ),
        (ChildRecord(child=Child(), caf_assessments=(CafAssessment(caf_id="F", version=0),)), "/records/0"),
    ],
    ids=[
        "nhs-with-spaces",
        "control-character",
        "short-upn",
        "nhs-ethnicity-code",
        "unknown-dfe-code",
        "padded-id",
        "caf-version-0",
    ],
)
def test_values_the_format_cannot_carry_are_refused_naming_the_field_never_the_value(
    record: ChildRecord, field: str
) -> None:
    with pytest.raises(UnrepresentableRecord) as raised:
        _write(record)
    assert isinstance(raised.value, GatewayError)
    assert raised.value.field == field
    for value in ("943 476 5919", "Smith", "A95000017830", " W1"):
        assert value not in str(raised.value)


def test_instants_are_written_as_iso_8601_with_their_zone_and_keep_their_instant() -> None:
    odd = timezone(timedelta(hours=1, seconds=1))  # no +hh:mm form: written in UTC, same instant
    consents = tuple(
        Consent(consent_id=f"K{i}", given_by_role="parent", given_at=datetime(2025, 6, 1, 10, 0, tzinfo=zone))
        for i, zone in enumerate([UTC, timezone(timedelta(hours=1)), odd])
    )
    document = _write(ChildRecord(child=Child(), consents=consents))
    text = document.decode()
    assert "<GivenAt>2025-06-01T10:00:00Z</GivenAt>" in text
    assert "<GivenAt>2025-06-01T10:00:00+01:00</GivenAt>" in text
    assert "<GivenAt>2025-06-01T08:59:59Z</GivenAt>" in text
    assert [c.given_at for c in read_document(document).records[0].consents] == [c.given_at for c in consents]


def test_the_output_is_one_schema_valid_utf8_document_and_streams_in_pieces() -> None:
    records = [_record(birth_date=date(2015, 3, 1)), _record(sex="U")]
    chunks = list(
        iter_message_chunks(records, message_id="w-1", supplier="writer-test", la_code="201", sent_at=SENT_AT)
    )
    assert [chunk.startswith(b"    <Child>") for chunk in chunks] == [False, False, True, True, False]
    document = b"".join(chunks)
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<IcsExchange xmlns="urn:ecm-gateway:ics:1"')
    assert document.count(b'xmlns="') == 1  # one namespace declaration, on the root
    assert ics_schema().validator.validate(parse_hardened(document))
    empty = _write()
    assert b"<Children/>" in empty and ics_schema().validator.validate(parse_hardened(empty))


def test_the_plugin_writer_takes_the_la_code_from_the_records_and_makes_a_fresh_message() -> None:
    writer = IcsXmlWriter()
    first, second = writer.write([_record()]), writer.write([_record()])
    outcome = read_document(first)
    assert outcome.issues == [] and outcome.headers[0].la_code == "201"
    assert [without_lineage(r) for r in outcome.records] == [_record()]
    assert read_document(second).headers[0].details["message_id"] != outcome.headers[0].details["message_id"]
    with pytest.raises(UnrepresentableRecord):
        writer.write([ChildRecord(child=Child())])
    assert read_document(IcsXmlWriter(la_code="202").write([])).headers[0].la_code == "202"


def test_an_invalid_header_is_refused() -> None:
    with pytest.raises(UnrepresentableRecord, match="header"):
        write_message([], message_id="m", supplier="s", la_code="20", sent_at=SENT_AT)
