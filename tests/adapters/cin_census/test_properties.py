"""Property tests: generated and mutated CIN census documents never make the reader raise, every problem is
an issue, and the reader's verdict agrees with validating the whole document against the same schema."""

from __future__ import annotations

import copy
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters._xml import UnsafeXmlError, hardened_parser, parse_hardened
from adapters.cin_census.census import SUPPORTED_YEARS
from adapters.cin_census.schemas import schema_path
from adapters.cin_census.synthetic import generate_records
from adapters.cin_census.writer import CinCensusWriter
from gateway import ChildRecord, Issue, SubmissionHeader
from tests.adapters.cin_census.support import Events, read_bytes

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["Child", "Children", "Header", "CINdetails", "Assessments", "Sex", "GenderCurrent", "UPN", "Year", "Foo"]
TEXTS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "true", "M", "U", "WBRI", "N1", "RC9", "24A", "2024", "201", "2024-03-31"]),
    st.dates().map(str),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20),
)


@cache
def _document(year: int, seed: int, children: int) -> bytes:
    return CinCensusWriter(census_year=year, la_code="201").write(generate_records(children, year=year, seed=seed))


@cache
def _validator(schema_file: str) -> etree.XMLSchema:
    year = int(schema_file.removeprefix("CIN_schema_").removesuffix(".xsd"))
    return etree.XMLSchema(etree.parse(str(schema_path(year)), parser=hardened_parser()))


documents = st.builds(_document, st.sampled_from(SUPPORTED_YEARS), st.integers(0, 5), st.integers(1, 3))


def _check_shapes(events: Events) -> None:
    assert len(events.headers) <= 1
    for event in events.all:
        assert isinstance(event, SubmissionHeader | ChildRecord | Issue)
    for issue in events.issues:
        assert issue.location is not None and issue.location.file == "census.xml"
        assert issue.rule.split("/", 1)[0] in {"read", "xsd", "map"}


def _agrees_with_whole_document_validation(data: bytes, events: Events) -> None:
    """The reader finds a schema problem exactly when whole-document validation does."""
    try:
        root = parse_hardened(data)
    except (etree.XMLSyntaxError, UnsafeXmlError):
        return
    if any(i.rule.startswith("read/") and i.severity == "error" for i in events.issues):
        return  # e.g. a file the streaming parser refused for a reason the whole parse did not meet
    schema_problems = [i for i in events.issues if i.rule.startswith("xsd/")]
    if not events.headers:
        assert schema_problems, "a file without a header event must be reported as not a census file"
        return
    valid = _validator(events.header.details["schema"]).validate(root)
    assert valid == (not schema_problems), (valid, [(i.rule, i.message) for i in schema_problems])


@SETTINGS
@given(documents)
def test_generated_documents_read_cleanly(data: bytes) -> None:
    events = read_bytes(data)
    _check_shapes(events)
    assert events.issues == []
    assert events.records


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str) and e is not root]


@st.composite
def mutated_documents(draw: st.DrawFn) -> bytes:
    root = etree.fromstring(draw(documents))
    for _ in range(draw(st.integers(1, 3))):
        elements = _elements(root)
        if not elements:
            break
        target = draw(st.sampled_from(elements))
        action = draw(st.sampled_from(["delete", "duplicate", "text", "rename", "tail", "attribute", "move"]))
        parent = target.getparent()
        if action == "delete":
            parent.remove(target)
        elif action == "duplicate":
            target.addnext(copy.deepcopy(target))
        elif action == "text":
            target.text = draw(TEXTS)
        elif action == "rename":
            target.tag = draw(st.sampled_from(NAMES))
        elif action == "tail":
            target.tail = draw(st.sampled_from(["stray", " ", "\n  x"]))
        elif action == "attribute":
            target.set(draw(st.sampled_from(["id", "code"])), "v")
        else:
            destination = draw(st.sampled_from([root, *elements]))
            if destination is not target and target not in destination.iterancestors():
                destination.append(target)
        if draw(st.booleans()):
            root.text = draw(st.sampled_from([None, "\n", "text"]))
    return bytes(etree.tostring(root))


@SETTINGS
@given(mutated_documents())
def test_mutated_documents_never_raise_and_agree_with_the_schema(data: bytes) -> None:
    events = read_bytes(data)
    _check_shapes(events)
    _agrees_with_whole_document_validation(data, events)


@st.composite
def byte_mutations(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(documents))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "repeat"]))
        if action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=12))
        elif action == "replace" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[position:]
        else:
            data[position:position] = data[position : position + draw(st.integers(1, 200))]
    return bytes(data)


@SETTINGS
@given(byte_mutations())
def test_byte_mutations_never_raise(data: bytes) -> None:
    events = read_bytes(data)
    _check_shapes(events)
    _agrees_with_whole_document_validation(data, events)
