"""Streaming: the file's skeleton is checked as it goes, processed children are unlinked (flat memory),
and the reader is found through the plugin registry and by sniffing."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from lxml import etree

from adapters._xml import UnsafeXmlError, iterparse_hardened
from adapters.cin_census import CinCensusReader, CinCensusWriter
from adapters.cin_census.skeleton import SKELETON_TAGS
from adapters.cin_census.synthetic import generate_records
from gateway import SourceFile
from gateway.plugins import load_registry
from tests.adapters.cin_census.support import FIXTURES, Events, read_bytes

VALID = (FIXTURES / "cin-2022-valid.xml").read_bytes()


def test_children_are_unlinked_as_the_file_streams() -> None:
    data = CinCensusWriter(census_year=2025).write(generate_records(50, year=2025, seed=1))
    reader = CinCensusReader()
    seen: list[int] = []
    original = etree.iterparse

    class Spy:
        """The real iterparse context (its log and root too), noting what precedes each child as it ends."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            self.context = original(*args, **kwargs)

        def __getattr__(self, name: str) -> object:
            return getattr(self.context, name)

        def __iter__(self) -> Iterator[tuple[str, etree._Element]]:
            for event, element in self.context:
                if event == "end" and element.tag == "Child":  # (lxml may have parsed a little further ahead)
                    seen.append(sum(1 for _ in element.itersiblings(preceding=True)))
                yield event, element

    spy = Spy

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(etree, "iterparse", spy)
        events = Events(list(reader.read([SourceFile(name="big.xml", data=data)])))
    assert len(events.records) == 50
    assert max(seen) == 0  # each child unlinks everything before it as it starts: no list builds up


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.replace(b"<Header>", b"<Child>").replace(b"</Header>", b"</Child>"), ["xsd/unexpected-element"]),
        (lambda d: d.replace(b"<Children>", b"<Children>x"), ["xsd/mixed-content"]),
        (lambda d: d.replace(b"</Children>", b"</Children><Children><Child/></Children>"), ["xsd/unexpected-element"]),
        (lambda d: d.replace(b"</Child>", b"</Child><Note>n</Note>"), ["xsd/unexpected-element"]),
        (lambda d: d.replace(b"<Message>", b'<Message id="1">'), ["xsd/attribute"]),
        (lambda d: d[: d.index(b"<Children>")] + b"</Message>", ["xsd/missing-element"]),
        (lambda d: d[: d.index(b"<Child>")] + b"</Children></Message>", ["xsd/missing-element"]),
        (lambda d: d.replace(b"<!-- -->", b"").replace(b"<Children>", b"<Children><!-- a comment -->"), []),
    ],
)
def test_skeleton_problems_are_located(change: object, expected: list[str]) -> None:
    events = read_bytes(change(VALID))  # type: ignore[operator]
    assert [rule for rule in events.rules() if rule.startswith("xsd/")][: len(expected) or None] == expected
    assert all(i.location is not None and i.location.line for i in events.issues if i.rule.startswith("xsd/"))


def test_a_file_without_a_header_is_read_from_its_childrens_shape() -> None:
    body = VALID[VALID.index(b"<Children>") : VALID.index(b"</Message>")]
    events = read_bytes(b"<Message>" + body + b"</Message>")
    assert events.header.format_version == "2023-24"  # GenderCurrent: the newest schema that has it
    assert events.header.la_code is None
    assert events.rules() == ["read/census-year-undeclared", "read/missing-la-code"]
    assert events.records[0].child.local_ids == ()  # no LA to qualify the id with: reported, not guessed


def test_an_unsupported_year_is_read_against_the_nearest_schema_with_a_warning() -> None:
    events = read_bytes(VALID.replace(b"2022-03-31", b"2027-03-31").replace(b"<Year>2022", b"<Year>2027"))
    assert events.header.format_version == "2026-27"
    assert events.header.details["schema"] == "CIN_schema_2026.xsd"
    assert events.rules()[0] == "read/census-year-unsupported"


def test_several_files_give_one_header_and_report_disagreement() -> None:
    other = VALID.replace(b"<LEA>201</LEA>", b"<LEA>202</LEA>")
    reader = CinCensusReader()
    events = Events(list(reader.read([SourceFile(name="a.xml", data=VALID), SourceFile(name="b.xml", data=other)])))
    assert len(events.headers) == 1 and len(events.records) == 2
    assert events.rules() == ["read/inconsistent-files"]
    assert events.issues[0].location is not None and events.issues[0].location.file == "b.xml"


def test_registered_through_the_entry_points_and_detected_by_sniffing() -> None:
    registry = load_registry()
    assert isinstance(registry.reader("cin-census-xml"), CinCensusReader)
    assert isinstance(registry.writers["cin-census-xml"], CinCensusWriter)
    reader = CinCensusReader()
    assert reader.sniff("census.xml", VALID[:4096])
    assert not reader.sniff("x.xml", b"<Bundle><entry/></Bundle>")
    assert not reader.sniff("x.xml", b"<Message><Other/></Message>")


def test_iterparse_tag_filter_keeps_the_refusals() -> None:
    # only the skeleton names reach Python, but DOCTYPE and XInclude are still refused
    doctype = b'<!DOCTYPE Foo [<!ENTITY e "x">]><Foo><Bar>&e;</Bar></Foo>'
    with pytest.raises(UnsafeXmlError):
        list(iterparse_hardened(io.BytesIO(doctype), events=("start", "end"), tag=SKELETON_TAGS))
    xinclude = b'<Foo><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="x"/></Foo>'
    with pytest.raises(UnsafeXmlError):
        list(iterparse_hardened(io.BytesIO(xinclude), events=("end",), tag="Child"))
    names = [e.tag for _, e in iterparse_hardened(io.BytesIO(VALID), events=("end",), tag=SKELETON_TAGS)]
    assert names == ["Header", "Child", "Children", "Message"]


def test_an_unreadable_path_is_an_issue(tmp_path: object) -> None:
    from pathlib import Path  # noqa: PLC0415

    missing = Path(str(tmp_path)) / "missing.xml"
    events = Events(list(CinCensusReader().read([SourceFile.from_path(missing)])))
    assert events.rules() == ["read/io"]


def test_census_year_override_is_checked() -> None:
    with pytest.raises(ValueError, match="census_year"):
        CinCensusReader(census_year=2016)


def test_the_submission_fills_in_what_a_headerless_file_lacks() -> None:
    from gateway.pipeline import new_envelope, process  # noqa: PLC0415

    body = VALID[VALID.index(b"<Children>") : VALID.index(b"</Message>")]
    data = b"<Message>" + body + b"</Message>"
    envelope = new_envelope(
        [("census.xml", data)], supplier_id="s1", la_code="201", format_id="cin-census-xml", format_version="2021-22"
    )
    result = process(envelope, [SourceFile(name="census.xml", data=data)], CinCensusReader())
    message = result.message
    assert [i.rule for i in message.issues] == ["read/census-year-undeclared", "read/missing-la-code"]
    assert "what the submission declares" in message.issues[0].message
    (record,) = message.records
    assert [(i.la_code, i.la_child_id) for i in record.child.local_ids] == [("201", "DfEX0000001")]
    (source,) = [s for s in record.lineage if s.field == "/child/local_ids/0/la_code"]
    assert source.step == "cin-census-xml:submission-la-code"
    assert result.outcome == "accepted"  # warnings only
