"""The reader parses without comments, processing instructions and (while a file shows none of those or a
CDATA section) indentation: values read as the schema reads them, and nothing a supplier sends reads
differently for it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

import pytest
from lxml import etree

from adapters.cin_census import reader
from adapters.cin_census.reader import CinCensusReader
from adapters.cin_census.synthetic import write_file
from gateway import SourceFile
from tests.adapters.cin_census.support import FIXTURES, read_bytes
from tests.adapters.layout import assert_data_only_reads_as_sent

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
        assert_data_only_reads_as_sent(reader, _dump, data, monkeypatch)


def test_a_value_split_by_a_comment_reads_whole_as_the_schema_reads_it() -> None:
    # Before, the mapping took the text before the comment: a schema-valid date was reported unreadable.
    data = VALID.replace(b"<PersonBirthDate>1966-03", b"<PersonBirthDate>1966-03<!-- checked -->", 1)
    data = data.replace(b"<UPN>", b"<UPN><?audit ok?>", 1)
    events, plain = read_bytes(data), read_bytes(VALID)
    assert events.issues == plain.issues
    assert events.records[0].child.birth_date == date(1966, 3, 24)
    assert events.records[0].child.upn == "A123456789123"
    assert events.records == plain.records


@pytest.mark.parametrize(
    "value",
    [
        b"<UPN>  <!-- x -->A123456789123</UPN>",
        b"<UPN>  <?audit ok?>A123456789123</UPN>",
        b"<UPN>  <![CDATA[A123456789123]]></UPN>",
    ],
)
def test_white_space_before_a_comment_in_a_value_is_judged_as_the_schema_judges_it(value: bytes) -> None:
    # libxml2 drops white space before a comment, processing instruction or CDATA section at the start of an
    # element when indentation is left out: the UPN would have passed here and failed DfE's pattern (found in
    # review). A file holding one is read keeping indentation.
    events = read_bytes(VALID.replace(b"<UPN>A123456789123</UPN>", value, 1))
    upn = [issue for issue in events.issues if ((issue.location and issue.location.path) or "").endswith("/UPN")]
    assert [issue.rule for issue in upn] == ["xsd/pattern"], events.rules()


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each reading of a file kept its indentation, in order."""
    seen: list[bool] = []
    census_events = reader.census_events

    def spy(stream: IO[bytes], *, indentation: bool = False) -> Iterator[tuple[str, etree._Element]]:
        seen.append(indentation)
        return census_events(stream, indentation=indentation)

    monkeypatch.setattr(reader, "census_events", spy)
    return seen


def test_a_comment_deep_in_a_file_reads_it_again_giving_nothing_twice(
    generated: bytes, monkeypatch: pytest.MonkeyPatch, readings: list[bool]
) -> None:
    # The first reading left indentation out and gave the children before the comment; the second keeps it
    # and gives only what comes after. Together they are what a reading keeping everything gives.
    cut = generated.index(b"<Child>", len(generated) * 3 // 4)
    data = generated[:cut] + b"<!-- checked by the data team -->" + generated[cut:]
    data_only = _dump(data)
    assert readings == [False, True]
    monkeypatch.setattr(reader, "DATA_ONLY", False)
    assert data_only == _dump(data)
    assert sum(1 for event in data_only if '"lineage"' in event) == 60


def test_a_file_without_comments_is_read_once(generated: bytes, readings: list[bool]) -> None:
    assert len(read_bytes(generated).records) == 60
    assert readings == [False]


def test_a_file_that_is_not_ascii_compatible_keeps_its_indentation(readings: list[bool]) -> None:
    doc = ('<?xml version="1.0" encoding="UTF-16"?>' + VALID.decode()).encode("utf-16")
    events = read_bytes(doc)
    assert readings == [False, True] and events.issues == [] and len(events.records) == 1
