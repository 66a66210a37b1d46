"""Golden files: a fixed canonical input, the exact ics-xml the writer makes of it, and what the reader reads.

Regenerate after a deliberate change with ``ECM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/adapters/ics_xml/test_golden.py``
and review the diff: every change to these files is a change suppliers will see.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from pydantic import BaseModel

from adapters.ics_xml.elements import iter_layouts
from adapters.ics_xml.layout import Value
from adapters.ics_xml.writer import write_message
from gateway import ChildRecord, SubmissionHeader
from tests.adapters.ics_xml.helpers import read_document, without_lineage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ics-xml"
UPDATE = os.environ.get("ECM_UPDATE_GOLDEN") == "1"


def _input_records() -> list[ChildRecord]:
    lines = (FIXTURES / "golden-records.jsonl").read_bytes().splitlines()
    return [ChildRecord.model_validate(orjson.loads(line)) for line in lines if line.strip()]


def _compare(produced: bytes, name: str) -> None:
    path = FIXTURES / name
    if UPDATE:
        path.write_bytes(produced)
    assert produced == path.read_bytes(), f"{name} differs from the golden file (see the module docstring)"


def test_the_writer_makes_exactly_the_golden_message() -> None:
    produced = write_message(
        _input_records(),
        message_id="golden-0001",
        supplier="golden-supplier",
        la_code="201",
        sent_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    )
    _compare(produced, "golden-message.xml")


def test_the_reader_reads_the_golden_message_into_the_golden_records_with_lineage() -> None:
    outcome = read_document((FIXTURES / "golden-message.xml").read_bytes(), names=("golden-message.xml",))
    assert outcome.issues == []
    assert outcome.headers == [
        SubmissionHeader(
            format_id="ics-xml",
            format_version="1.1",
            la_code="201",
            details={
                "file": "golden-message.xml",
                "message_id": "golden-0001",
                "supplier": "golden-supplier",
                "sent_at": "2026-01-15T09:30:00Z",
            },
        )
    ]
    assert [without_lineage(record) for record in outcome.records] == _input_records()
    produced = b"".join(
        orjson.dumps(record.model_dump(mode="json", exclude_defaults=True)) + b"\n" for record in outcome.records
    )
    _compare(produced, "golden-read.jsonl")


def _set_fields(value: object, found: set[tuple[type, str]]) -> None:
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            if item != info.get_default(call_default_factory=True):
                found.add((type(value), name))
            _set_fields(item, found)
    elif isinstance(value, tuple):
        for item in value:
            _set_fields(item, found)


def test_the_golden_input_sets_every_field_the_format_carries() -> None:
    found: set[tuple[type, str]] = set()
    for record in _input_records():
        _set_fields(record, found)
    carried = {(layout.model, member.field) for layout, members in iter_layouts() for member in members}
    always = {
        (layout.model, member.field)
        for layout, members in iter_layouts()
        for member in members
        if isinstance(member, Value) and member.always
    }
    assert carried - always - found == set(), "extend golden-records.jsonl, then regenerate (module docstring)"


@pytest.mark.parametrize(("declared", "reported"), [("1.0", "1.0"), ("1.1", "1.1")])
def test_every_minor_version_is_read_and_reported_as_declared(declared: str, reported: str) -> None:
    """A 1.0 document (written before 1.1 added the looked-after parts) is a valid 1.1 document."""
    document = (
        (FIXTURES / "golden-message.xml")
        .read_bytes()
        .replace(b'schemaVersion="1.1"', f'schemaVersion="{declared}"'.encode(), 1)
    )
    outcome = read_document(document, names=("m.xml",))
    assert outcome.issues == []
    assert [header.format_version for header in outcome.headers] == [reported]


def test_an_unknown_version_is_a_located_schema_issue() -> None:
    document = (FIXTURES / "golden-message.xml").read_bytes().replace(b'schemaVersion="1.1"', b'schemaVersion="1.2"', 1)
    outcome = read_document(document, names=("m.xml",))
    assert [issue.severity for issue in outcome.issues] == ["error"]
    (issue,) = outcome.issues
    assert (
        issue.rule.startswith("xsd/")
        and issue.location is not None
        and issue.location.path == "/IcsExchange/@schemaVersion"
    )
    assert "schemaVersion" in issue.message
