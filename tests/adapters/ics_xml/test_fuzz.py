"""Hypothesis fuzzing of the reader: generated and mutated documents never raise, and every problem is an Issue.

The oracle for well-formed mutants is lxml validating the *whole* document against the schema: the streaming
reader (one child at a time, then the skeleton) must reach the same verdict — no error issue exactly when the
document is valid, and then one record per ``<Child>``.
"""

from __future__ import annotations

import copy
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters._xml import parse_hardened
from adapters.ics_xml.schema import NAMESPACE, ics_schema
from gateway import ChildRecord, Issue, SubmissionHeader
from tests.adapters.ics_xml.helpers import Outcome, read_document

GOLDEN = (Path(__file__).resolve().parents[2] / "fixtures" / "ics-xml" / "golden-message.xml").read_bytes()
_TAGS = sorted({part.split('"', 1)[0] for part in ics_schema().source_text.decode().split('name="')[1:]})
"""Every name the schema declares (elements, attributes and types): plausible wrong tags."""
_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
_XML_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs",),
        exclude_characters="".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff",
    ),
    max_size=20,
) | st.sampled_from(["", "2025-13-01", "true", "maybe", "M", "Q", "WBRI", "9434765919", "1", "-1", " 201 ", "UN9"])


def _check_invariants(outcome: Outcome) -> None:
    assert len(outcome.headers) == 1
    for issue in outcome.issues:
        assert isinstance(issue, Issue)
        assert issue.rule not in ("read/internal-error", "read/unmapped"), issue
        assert issue.message
        assert issue.location is not None and issue.location.file


def _valid(document: bytes) -> bool:
    try:
        return bool(ics_schema().validator.validate(parse_hardened(document)))
    except (etree.XMLSyntaxError, ValueError):
        return False


@_SETTINGS
@given(st.binary(max_size=2000) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check_invariants(read_document(data))


@_SETTINGS
@given(st.data())
def test_byte_mutants_never_raise_and_any_error_free_read_is_a_valid_document(data: st.DataObject) -> None:
    document = bytearray(GOLDEN)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(document)))
        match data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate"])):
            case "delete":
                del document[at : at + data.draw(st.integers(1, 40))]
            case "insert":
                document[at:at] = data.draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b"<", b"&", b"]]>"]))
            case "replace":
                document[at : at + 1] = data.draw(st.binary(min_size=1, max_size=1))
            case _:
                document[at:at] = document[at : at + data.draw(st.integers(1, 60))]
    outcome = read_document(bytes(document))
    _check_invariants(outcome)
    if not outcome.errors:
        assert _valid(bytes(document))


def _mutate(root: etree._Element, data: st.DataObject) -> None:
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    target = data.draw(st.sampled_from(elements))
    parent = target.getparent()
    action = data.draw(st.sampled_from(["delete", "rename", "text", "attribute", "duplicate", "swap", "wrap"]))
    if action == "delete" and parent is not None:
        parent.remove(target)
    elif action == "rename":
        name = data.draw(st.sampled_from(_TAGS) | st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True))
        namespace = data.draw(st.sampled_from([NAMESPACE, NAMESPACE, "urn:other"]))
        target.tag = f"{{{namespace}}}{name}"
    elif action == "text":
        target.text = data.draw(_XML_TEXT)
    elif action == "attribute":
        target.set(
            data.draw(st.sampled_from(["use", "system", "known", "display", "verificationStatus", "x"])),
            data.draw(_XML_TEXT),
        )
    elif action == "duplicate" and parent is not None:
        target.addnext(copy.deepcopy(target))
    elif action == "swap" and parent is not None and target.getnext() is not None:
        following = target.getnext()
        assert following is not None
        following.addnext(target)
    elif action == "wrap" and parent is not None:
        wrapper = etree.Element(f"{{{NAMESPACE}}}{data.draw(st.sampled_from(_TAGS))}")
        target.addprevious(wrapper)
        wrapper.append(target)


@_SETTINGS
@given(st.data())
def test_tree_mutants_get_the_same_verdict_as_whole_document_validation(data: st.DataObject) -> None:
    root = parse_hardened(GOLDEN)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(root, data)
    document = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    outcome = read_document(document)
    _check_invariants(outcome)
    children = (
        root.findall(f"{{{NAMESPACE}}}Children/{{{NAMESPACE}}}Child") if root.tag.startswith(f"{{{NAMESPACE}}}") else []
    )
    if _valid(document):
        assert outcome.errors == [], outcome.errors
        assert len(outcome.records) == len(children)
    else:
        assert outcome.errors, "an invalid document was read without an error issue"
    assert all(
        isinstance(event, ChildRecord | SubmissionHeader | Issue)
        for event in [*outcome.headers, *outcome.records, *outcome.issues]
    )
