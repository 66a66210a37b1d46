"""903 XML is parsed without comments, processing instructions and indentation: values read as a schema reads
them, and no layout a supplier sends reads differently for it (except white space before a comment at the
start of a value, documented in :func:`adapters._xml.iterparse_hardened`; 903 values are stripped anyway)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from adapters.ssda903 import xml
from adapters.ssda903.reader import Ssda903Reader
from adapters.ssda903.synthetic import generate_xml
from gateway import ChildRecord, Issue, SourceFile
from tests.adapters.layout import assert_data_only_reads_as_sent

RETURN = (Path(__file__).resolve().parents[2] / "fixtures" / "ssda903" / "care-tables" / "return.xml").read_bytes()
SYNTHETIC = generate_xml(40, year=2024, seed=3, all_tables=True)


def _dump(data: bytes) -> list[str]:
    events = Ssda903Reader(la_code="201").read([SourceFile(name="return.xml", data=data)])
    return [event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event) for event in events]


def _read(data: bytes) -> tuple[dict[str, ChildRecord], list[Issue]]:
    events = list(Ssda903Reader(la_code="201").read([SourceFile(name="return.xml", data=data)]))
    records = {e.child.local_ids[0].la_child_id: e for e in events if isinstance(e, ChildRecord)}
    return records, [e for e in events if isinstance(e, Issue)]


def _layouts(data: bytes) -> dict[str, bytes]:
    """The same return in other layouts, and with the white space, text and comments a supplier might add."""
    tree = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    flat = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    etree.indent(tree, space="  ")
    pretty = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return {
        "as written": data,
        "one line": flat,
        "one element a line": pretty,
        "tabs and CRLF": re.sub(rb"\n( +)", lambda m: b"\r\n" + b"\t" * (len(m.group(1)) // 2), pretty),
        "blank values": pretty.replace(b"<DOB>", b"<DOB>   ", 3)
        .replace(b"<DECOM>", b"<DECOM>\n  ", 2)
        .replace(b"<UPN>", b"<UPN> \t", 2),
        "white-space-only values": re.sub(rb"<UPN>[^<]*</UPN>", b"<UPN>   </UPN>", pretty, count=2),
        "empty values": re.sub(rb"<ETHNIC>[^<]*</ETHNIC>", b"<ETHNIC/>", pretty, count=2),
        "stray text": pretty.replace(b"</CHILD>", b"</CHILD>\n  stray text  \n", 2).replace(
            b"</HEADER>", b"stray</HEADER>", 1
        ),
        "preserved space": pretty.replace(b"<CHILD>", b'<CHILD xml:space="preserve">', 3),
        "comments between elements": pretty.replace(b"</HEADER>", b"</HEADER>\n<!-- note -->").replace(
            b"<EPISODE>", b"<EPISODE><?audit ok?>", 2
        ),
        "comments around the root": pretty.replace(b"<EXPSSDA903", b"<!-- a -->\n<?pi b?>\n<EXPSSDA903", 1)
        + b"\n<!-- end -->\n",
    }


@pytest.mark.parametrize("layout", list(_layouts(RETURN)))
def test_the_output_is_the_same_with_or_without_the_layout(layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for submission in (RETURN, SYNTHETIC):
        data = _layouts(submission)[layout]
        assert_data_only_reads_as_sent(xml, _dump, data, monkeypatch)


def test_a_value_split_by_a_comment_reads_whole_as_a_schema_reads_it() -> None:
    # Before, an element holding a comment was taken for a group: the date of birth was lost (with a warning
    # that DOB is not part of the return) and, for CHILDID, the whole child.
    data = RETURN.replace(b"<DOB>14/05/2007", b"<DOB>14/05<!-- checked -->/2007", 1)
    data = data.replace(b"<CHILDID>T100002", b"<CHILDID><?audit ok?>T100002", 1)
    (split, split_issues), (plain, plain_issues) = _read(data), _read(RETURN)
    assert sorted(split) == ["T100001", "T100002", "T100003"]
    assert split["T100001"].child.birth_date == plain["T100001"].child.birth_date is not None
    assert split_issues == plain_issues
    assert split == plain


def test_a_group_holding_only_a_comment_reads_as_the_empty_group() -> None:
    # Before, <OC2><!-- c --></OC2> was a group (an empty oc2 row: "more than one row in the oc2 file") while
    # <OC2/> is an element with no value; a schema sees the two alike, and so does the reader now.
    commented = _dump(RETURN.replace(b"</HEADER>", b"<OC2><!-- c --></OC2></HEADER>", 1))
    assert commented == _dump(RETURN.replace(b"</HEADER>", b"<OC2/></HEADER>", 1))


def test_white_space_before_a_comment_at_the_start_of_a_value_changes_nothing() -> None:
    # The documented case where the parser drops white space (before a comment, at the start of a value):
    # 903 values are read stripped, so the return reads as it does without the comment.
    commented = RETURN.replace(b"<DOB>", b"<DOB>  <!-- c -->").replace(b"<UPN>", b"<UPN> \t<?audit ok?>")
    assert _read(commented) == _read(RETURN)


def test_an_empty_group_is_read_as_nothing_not_as_an_unknown_element() -> None:
    # <OC2/> holds no outcome: no oc2 row, and no warning that OC2 is not part of the return (it is).
    events = _dump(RETURN.replace(b"</HEADER>", b"<OC2/><AREVIEW></AREVIEW></HEADER>", 1))
    assert events == _dump(RETURN)
