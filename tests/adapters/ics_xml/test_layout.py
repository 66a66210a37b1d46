"""The reader parses without comments and processing instructions: values read as the schema reads them, and
no layout a supplier sends reads differently for it. Indentation is kept (free text keeps its white space);
the one difference, stray text after a comment at the start of ``<Children>``, is pinned below."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from adapters.ics_xml import reader
from adapters.ics_xml.reader import IcsXmlReader
from adapters.ics_xml.synthetic import synthetic_message
from gateway import SourceFile
from tests.adapters.ics_xml.helpers import read_document
from tests.adapters.layout import assert_data_only_reads_as_sent

GOLDEN = (Path(__file__).resolve().parents[2] / "fixtures" / "ics-xml" / "golden-message.xml").read_bytes()
SYNTHETIC = synthetic_message(40, seed=5)


def _dump(data: bytes) -> list[str]:
    events = IcsXmlReader().read([SourceFile(name="message.xml", data=data)])
    return [event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event) for event in events]


def _layouts(data: bytes) -> dict[str, bytes]:
    """The same message in other layouts, and with the white space, text and comments a supplier might add."""
    flat = etree.tostring(
        etree.fromstring(data, etree.XMLParser(remove_blank_text=True)), xml_declaration=True, encoding="UTF-8"
    )
    return {
        "as written": data,
        "one line": flat,
        "tabs and CRLF": re.sub(rb"\n( +)", lambda m: b"\r\n" + b"\t" * (len(m.group(1)) // 2), data),
        "blank values": data.replace(b"<Line>", b"<Line>   ", 3)
        .replace(b"<LAChildId>", b"<LAChildId>\n  ", 2)
        .replace(b"<Given>", b"<Given> \t", 2),
        "white-space-only values": re.sub(rb"<Line>[^<]*</Line>", b"<Line>   </Line>", data, count=2),
        "stray text between children": data.replace(b"</Child>", b"</Child>\n  stray text  \n", 2),
        "stray text after a comment between children": data.replace(b"</Child>", b"</Child><!-- c -->stray", 1),
        "stray text after a comment in a child": data.replace(b"</Identifiers>", b"</Identifiers><!-- c -->stray", 1),
        "preserved space": data.replace(b"<Child>", b'<Child xml:space="preserve">', 3),
        "comments between elements": data.replace(b"</Identifiers>", b"</Identifiers>\n<!-- note -->").replace(
            b"<Header>", b"<Header><?audit ok?>"
        ),
        "comments around the root": data.replace(b"<IcsExchange", b"<!-- a -->\n<?pi b?>\n<IcsExchange", 1)
        + b"\n<!-- end -->\n",
        "a comment before an unexpected element": data.replace(b"<Sex>", b"<!-- c --><Bogus>1</Bogus><Sex>", 1),
        "white space before a comment in free text": data.replace(b"<Line>", b"<Line>  <!-- c -->", 2),
        "white space before a comment in a token": data.replace(b"<LAChildId>", b"<LAChildId>  <!-- c -->", 2),
    }


@pytest.mark.parametrize("layout", list(_layouts(GOLDEN)))
def test_the_output_is_the_same_with_or_without_comments_in_the_tree(
    layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for message in (GOLDEN, SYNTHETIC):
        data = _layouts(message)[layout]
        assert_data_only_reads_as_sent(reader, _dump, data, monkeypatch)


def test_a_header_value_split_by_a_comment_reads_whole_as_the_schema_reads_it() -> None:
    # Before, the header's values were the text before the comment: the LA code was silently lost (None)
    # and the message id read empty, with no issue.
    data = GOLDEN.replace(b"<LACode>201</LACode>", b"<LACode>20<!-- checked -->1</LACode>", 1)
    data = data.replace(b"<MessageId>", b"<MessageId><?audit ok?>", 1)
    split, plain = read_document(data), read_document(GOLDEN)
    assert split.headers[0].la_code == "201"
    assert split.headers[0].details["message_id"] == "golden-0001"
    assert split.headers == plain.headers
    assert split.issues == plain.issues == []
    assert split.records == plain.records


def test_an_invalid_child_is_reported_under_its_whole_child_id() -> None:
    # Before, the issues of a child whose LAChildId held a processing instruction named the child "GOLD".
    invalid = GOLDEN.replace(b"<Sex>F</Sex>", b"<Sex>Q</Sex>", 1)
    split = read_document(invalid.replace(b"<LAChildId>GOLD", b"<LAChildId>GO<?audit ok?>LD", 1))
    plain = read_document(invalid)
    assert [issue.child for issue in split.issues] == ["GOLD0001"]
    assert split.issues == plain.issues


def test_free_text_keeps_the_white_space_before_a_comment() -> None:
    # The schema reads <Line>  <!-- c -->Flat 2</Line> as "  Flat 2" (xs:string, kept as sent); parsing with
    # libxml2's remove_blank_text would drop the two spaces, which is why the reader keeps indentation.
    outcome = read_document(GOLDEN.replace(b"<Line>Flat 2</Line>", b"<Line>  <!-- c -->Flat 2</Line>", 1))
    assert outcome.records[0].child.addresses[0].lines[0] == "  Flat 2"
    assert outcome.issues == []


def test_stray_text_after_a_comment_at_the_start_of_children_reads_as_the_stray_text_alone() -> None:
    # The one layout that reads differently: with the comment in the tree the text was the comment's tail,
    # reported as the children were drained (no line, before the records); without it, it is the text of
    # <Children>, reported by the skeleton check at the end (with its line) exactly as when no comment is there.
    commented = _dump(GOLDEN.replace(b"<Children>", b"<Children><!-- c -->stray", 1))
    assert commented == _dump(GOLDEN.replace(b"<Children>", b"<Children>stray", 1))
    assert sum('"rule":"xsd/text-not-allowed"' in event for event in commented) == 1
