"""The reader parses without comments, processing instructions and indentation: values read as the schema
reads them, and nothing a supplier sends reads differently for it (except white space before a comment at
the start of a value, documented in :func:`adapters._xml.iterparse_hardened`)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from adapters.cin_census import reader
from adapters.cin_census.reader import CinCensusReader
from adapters.cin_census.synthetic import write_file
from gateway import SourceFile
from tests.adapters.cin_census.support import FIXTURES, read_bytes

VALID = (FIXTURES / "cin-2022-valid.xml").read_bytes()


def _dump(data: bytes) -> list[str]:
    events = CinCensusReader().read([SourceFile(name="census.xml", data=data)])
    return [event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event) for event in events]


def _layouts(data: bytes) -> dict[str, bytes]:
    """The same census in other layouts, and with the white space and text a supplier's system might add."""
    flat = etree.tostring(etree.fromstring(data, etree.XMLParser(remove_blank_text=True)), xml_declaration=True)
    return {
        "as generated": data,
        "one line": flat,
        "tabs and CRLF": re.sub(rb"\n( +)", lambda m: b"\r\n" + b"\t" * (len(m.group(1)) // 4), data),
        "blank values": data.replace(b"<UPN>", b"<UPN>   ", 3).replace(b"<ReferralNFA>", b"<ReferralNFA>\n  ", 2),
        "white-space-only values": re.sub(rb"<UPN>[^<]*</UPN>", b"<UPN>   </UPN>", data, count=2),
        "stray text": data.replace(b"</Child>", b"</Child>\n  stray text  \n", 2),
        "preserved space": data.replace(b"<Child>", b'<Child xml:space="preserve">', 3),
        "comments between elements": data.replace(b"</ChildIdentifiers>", b"</ChildIdentifiers>\n<!-- note -->"),
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path: Path = tmp_path_factory.mktemp("layout") / "census.xml"
    write_file(path, 60, year=2025, seed=9, errors=0.2)
    return path.read_bytes()


@pytest.mark.parametrize("layout", list(_layouts(VALID)))
def test_the_output_is_the_same_with_or_without_the_layout(
    generated: bytes, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for census in (VALID, generated):
        data = _layouts(census)[layout]
        parsed_without = _dump(data)
        monkeypatch.setattr(reader, "DATA_ONLY", False)
        parsed_with = _dump(data)
        monkeypatch.setattr(reader, "DATA_ONLY", True)
        assert parsed_without == parsed_with


def test_a_value_split_by_a_comment_reads_whole_as_the_schema_reads_it() -> None:
    # Before, the mapping took the text before the comment: a schema-valid date was reported unreadable.
    data = VALID.replace(b"<PersonBirthDate>1966-03", b"<PersonBirthDate>1966-03<!-- checked -->", 1)
    data = data.replace(b"<UPN>", b"<UPN><?audit ok?>", 1)
    events, plain = read_bytes(data), read_bytes(VALID)
    assert events.issues == plain.issues
    assert events.records[0].child.birth_date == date(1966, 3, 24)
    assert events.records[0].child.upn == "A123456789123"
    assert events.records == plain.records
