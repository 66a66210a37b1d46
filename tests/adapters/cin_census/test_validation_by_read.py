"""Children are validated a parser read at a time, and judged exactly as if each were validated alone.

The reader validates the ``<Children>`` element once per parser read (the child that ends first and the
complete ones parsed after it), setting aside the child the parser is still building; only when they are
not valid together is each validated by itself. These tests cut the same file into reads of many sizes, so
that a child is split by a read at every kind of place, and check the verdicts against lxml validating each
child alone.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest
from lxml import etree

from adapters.cin_census import document
from adapters.cin_census.document import MAX_CHILD_ELEMENTS, DocumentState
from adapters.cin_census.reader import CinCensusReader
from adapters.cin_census.schemas import schema_for
from adapters.cin_census.synthetic import write_file
from gateway import ChildRecord, SourceFile
from tests.adapters.cin_census.support import Events

YEAR = 2025
CHILDREN = 240
_CHILD = re.compile(r"^/Message/Children/Child\[(\d+)\]")


class _ShortReads(io.BytesIO):
    """A stream that answers each read with fewer bytes than asked: the next of ``sizes``, round and round."""

    def __init__(self, data: bytes, sizes: tuple[int, ...]) -> None:
        super().__init__(data)
        self._sizes = sizes
        self._next = 0

    def read(self, size: int | None = -1) -> bytes:
        cut = self._sizes[self._next % len(self._sizes)]
        self._next += 1
        return super().read(cut if size is None or size < 0 else min(size, cut))


@dataclass(frozen=True, slots=True)
class _Chunked(SourceFile):
    sizes: tuple[int, ...] = (32_768,)

    def open(self) -> BinaryIO:
        assert self.data is not None
        return _ShortReads(self.data, self.sizes)


@pytest.fixture(scope="module")
def census(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A generated census file in which every 7th child, and a run of three, fail the schema."""
    path: Path = tmp_path_factory.mktemp("by-read") / "census.xml"
    write_file(path, CHILDREN, year=YEAR, seed=5)
    tree = etree.parse(str(path))
    children = tree.getroot().findall("Children/Child")
    broken = {*range(3, CHILDREN, 7), 100, 101, 102}
    for position in sorted(broken):
        identifiers = children[position].find("ChildIdentifiers")
        assert identifiers is not None
        etree.SubElement(identifiers, "NotInTheSchema").text = "x"  # an element the schema does not allow
    for position in range(5, CHILDREN, 11):  # and some whose mistake is their last element, read last
        etree.SubElement(children[position], "NotInTheSchema").text = "x"
    data: bytes = etree.tostring(tree, xml_declaration=True, encoding="utf-8")
    return data


def _alone(data: bytes) -> set[int]:
    """The 1-based positions of the children that fail the schema when each is validated by itself."""
    schema = schema_for(YEAR).validator
    children = etree.fromstring(data).findall("Children/Child")
    return {position for position, child in enumerate(children, 1) if not schema(child)}


def _flagged(events: Events) -> set[int]:
    found = set()
    for issue in events.issues:
        if issue.rule.startswith("xsd/") and issue.location is not None:
            match = _CHILD.match(issue.location.path or "")
            assert match is not None, issue.location.path
            found.add(int(match.group(1)))
    return found


def _read(data: bytes, sizes: tuple[int, ...]) -> Events:
    return Events(list(CinCensusReader().read([_Chunked(name="census.xml", data=data, sizes=sizes)])))


@pytest.mark.parametrize(
    "sizes",
    [
        (32_768,),
        (1,),
        (97,),
        (1_000, 3, 4_999),
        tuple(random.Random(11).randint(1, 6_000) for _ in range(50)),
    ],
    ids=["lxml-reads", "byte-by-byte", "97-bytes", "mixed", "random"],
)
def test_every_child_is_judged_as_if_validated_alone(census: bytes, sizes: tuple[int, ...]) -> None:
    expected = _alone(census)
    assert len(expected) == len({*range(3, CHILDREN, 7), 100, 102, *range(5, CHILDREN, 11)})
    events = _read(census, sizes)
    assert _flagged(events) == expected
    assert len(events.records) == CHILDREN
    assert all(isinstance(record, ChildRecord) for record in events.records)


def test_the_output_does_not_depend_on_how_the_file_is_read(census: bytes) -> None:
    whole = [event for event in CinCensusReader().read([SourceFile(name="census.xml", data=census)])]
    for sizes in [(1,), (333,), (5_000, 17)]:
        assert _read(census, sizes).all == whole


def _spy(monkeypatch: pytest.MonkeyPatch, too_large: etree.XPath) -> list[bool]:
    """Record what each validation of a read's children answered; fail if it held a child ``too_large``."""
    calls: list[bool] = []
    validate_read = DocumentState._validate_read

    def spy(self: DocumentState, children: etree._Element, element: etree._Element, schema: object) -> bool:
        assert not any(too_large(child) for child in children)
        result = validate_read(self, children, element, schema)  # type: ignore[arg-type]
        calls.append(result)
        return result

    monkeypatch.setattr(DocumentState, "_validate_read", spy)
    return calls


def _limit(limit: int) -> etree.XPath:
    return etree.XPath(f"boolean(descendant::*[{limit}])", regexp=False)


def test_children_are_validated_together_when_the_file_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Validation by read is what the reader does on a clean file: one Children validation per read.
    path = tmp_path / "clean.xml"
    write_file(path, 300, year=YEAR, seed=2)
    calls = _spy(monkeypatch, _limit(MAX_CHILD_ELEMENTS))
    events = Events(list(CinCensusReader().read([SourceFile.from_path(path)])))
    assert len(events.records) == 300 and events.issues == []
    assert calls and all(calls)
    assert len(calls) < 300 / 5  # a read holds dozens of children


@pytest.mark.parametrize("where", [0, 41, 119])
def test_a_child_too_large_is_never_validated_with_its_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: int
) -> None:
    # The schema never sees a child refused as too large, not even beside others (lxml can take minutes over
    # one hostile child). A real one is larger than a parser read; here the limit is lowered to just above
    # the largest generated child, so that a child over it shares a read with its neighbours.
    path = tmp_path / "large.xml"
    write_file(path, 120, year=YEAR, seed=3)
    tree = etree.parse(str(path))
    children = tree.getroot().findall("Children/Child")
    limit = max(sum(1 for _ in child.iter()) for child in children) + 1
    monkeypatch.setattr(document, "_too_large", _limit(limit))
    filler = etree.SubElement(children[where], "Filler")
    for _ in range(limit):
        etree.SubElement(filler, "Item")
    _spy(monkeypatch, _limit(limit))
    data = etree.tostring(tree, xml_declaration=True, encoding="utf-8")
    events = Events(list(CinCensusReader().read([SourceFile(name="large.xml", data=data)])))
    assert events.rules() == ["read/too-large"]
    assert len(events.records) == 119


_NAMESPACED = {
    # a serialiser writing fragments: Message declares a prefix, and each Child declares it again
    "declared again": lambda d: d.replace(b"<Message>", b'<Message xmlns:x="urn:x">', 1).replace(
        b"<Child>", b'<Child xmlns:x="urn:x">'
    ),
    # nothing on Message; each Child declares a prefix, and an element inside it declares it again
    "nested": lambda d: d.replace(b"<Child>", b'<Child xmlns:x="urn:x">').replace(
        b"<ChildIdentifiers>", b'<ChildIdentifiers xmlns:x="urn:x">'
    ),
    # schema-valid: xsi declared on Message and on each Child, never used
    "xsi": lambda d: d.replace(
        b"<Message>", b'<Message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">', 1
    ).replace(b"<Child>", b'<Child xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'),
}


@pytest.mark.parametrize("layout", list(_NAMESPACED))
@pytest.mark.parametrize("sizes", [(97,), (700,), tuple(random.Random(3).randint(1, 5_000) for _ in range(40))])
def test_a_child_with_namespaces_is_never_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, sizes: tuple[int, ...]
) -> None:
    # Setting aside a child whose elements declare a namespace let lxml free a declaration the parser still
    # held for the element it was building: the next prefixed name read freed memory (found in review; the
    # reader raised from deep in the explanation). Such a read is validated child by child instead.
    path = tmp_path / "namespaced.xml"
    write_file(path, 120, year=YEAR, seed=2)
    data = _NAMESPACED[layout](path.read_bytes())
    if layout != "xsi":
        for tag in (b"UPN", b"PersonBirthDate", b"CINreferralDate", b"ReferralSource"):
            data = data.replace(b"<" + tag + b">", b"<" + tag + b' x:a="1">')
    together = _read(data, sizes).all
    monkeypatch.setattr(DocumentState, "_validate_read", lambda *args: False)
    assert together == _read(data, sizes).all
    assert len(Events(together).records) == 120


def test_the_schemas_judge_children_together_as_alone() -> None:
    # What validating Children at once relies on: no identity constraint or ID type ties one child to
    # another, so Children is valid exactly when each Child in it is (a new census schema that adds one
    # must make the reader validate each child alone again).
    folder = Path(__file__).resolve().parents[3] / "schemas" / "cin-census"
    schemas = sorted(folder.glob("CIN_schema_*.xsd"))
    assert len(schemas) >= 10
    for path in schemas:
        root = etree.parse(str(path)).getroot()
        xs = "{http://www.w3.org/2001/XMLSchema}"
        assert not root.findall(f".//{xs}key") and not root.findall(f".//{xs}keyref"), path.name
        assert not root.findall(f".//{xs}unique"), path.name
        named = {str(e.get(name, "")) for e in root.iter() for name in ("type", "base", "itemType")}
        assert not named & {"xs:ID", "xs:IDREF", "xs:IDREFS"}, path.name  # used, restricted or listed
        assert not root.findall(f".//{xs}any") and not root.findall(f".//{xs}anyAttribute"), path.name
        for element in root.iter(f"{xs}element"):  # nothing that lets a Child be judged by another declaration
            assert not {"nillable", "abstract", "substitutionGroup", "block", "final"} & set(element.keys()), path.name
        children = root.find(f"{xs}complexType[@name='childrentype']")
        assert children is not None, path.name
        declared = children.findall(f"{xs}sequence/{xs}element")
        assert [(e.get("name"), e.get("type")) for e in declared] == [("Child", "childtype")], path.name
    # the reader's own global declarations use the same types as the file's (schemas.py adds them)
    loaded = etree.fromstring(schema_for(YEAR).source_text)
    added = {e.get("name"): e.get("type") for e in loaded.findall("{http://www.w3.org/2001/XMLSchema}element")}
    assert {name: added.get(name) for name in ("Child", "Children")} == {
        "Child": "childtype",
        "Children": "childrentype",
    }
