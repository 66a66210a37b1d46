"""Hardened JSON loading: every hostile construct is a located problem, never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters._json import JsonDocument, JsonProblem, load_json


def _problem(data: bytes, **limits: int) -> JsonProblem:
    result = load_json(data, **limits)
    assert isinstance(result, JsonProblem), result
    return result


def _document(data: bytes) -> JsonDocument:
    result = load_json(data)
    assert isinstance(result, JsonDocument), result
    return result


def test_valid_document_loads_and_lines_are_found_lazily() -> None:
    document = _document(b'{"a": [1, {"b": "x"}],\n "c": {"d": null}}')
    assert document.value == {"a": [1, {"b": "x"}], "c": {"d": None}}
    assert document.line_of("/c/d") == 2
    assert document.line_of("/a/1/b") == 1
    assert document.line_of("/c/missing") == 2  # nearest existing ancestor


@pytest.mark.parametrize(
    ("data", "rule", "pointer", "line"),
    [
        (b'{"a": 1,\n "b": {"x": 1,\n "x": 2}}', "read/json-duplicate-key", "/b/x", 3),
        (b'{"a": [1,\n NaN]}', "read/json-number", "/a/1", 2),
        (b'{"a": Infinity}', "read/json-number", "/a", 1),
        (b'{"a": -Infinity}', "read/json-number", "/a", 1),
        (b'{"a": ' + b"9" * 5000 + b"}", "read/json-number", "/a", 1),
        (b'{"a": 1e400}', "read/json-number", "/a", 1),
        (b'{"a":\n\n 1,}', "read/json-syntax", None, 3),
        (b"", "read/json-syntax", None, 1),
    ],
)
def test_refused_constructs_are_located(data: bytes, rule: str, pointer: str | None, line: int) -> None:
    problem = _problem(data)
    assert (problem.rule, problem.pointer, problem.line) == (rule, pointer, line)


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_100000_deep_nesting_is_refused_before_parsing(opening: bytes) -> None:
    closing = b"]" if opening == b"[" else b"}"
    data = opening * 100_000 + (b"1" if opening != b"[" else b"") + closing * 100_000
    problem = _problem(data)
    assert problem.rule == "read/json-depth"


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert _document(b'{"a": "[[[[[[[[[[{{{{{{{{{{"}').value == {"a": "[[[[[[[[[[{{{{{{{{{{"}
    assert _problem(b"[" * 10 + b"]" * 10, max_depth=9).rule == "read/json-depth"
    assert isinstance(load_json(b"[" * 9 + b"]" * 9, max_depth=9), JsonDocument)


@pytest.mark.parametrize(
    ("data", "message_part"),
    [
        ('{"a": 1}'.encode("utf-16"), "UTF-16"),
        ('{"a": 1}'.encode("utf-32"), "UTF-32"),
        ('{"a": 1}'.encode("utf-16-le"), "UTF-16 or UTF-32"),
        ('{"a":\n "é"}'.encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_wrong_encodings_are_refused(data: bytes, message_part: str) -> None:
    problem = _problem(data)
    assert problem.rule == "read/encoding"
    assert message_part in problem.message


def test_utf8_bom_is_a_warning_not_a_failure() -> None:
    document = _document(b'\xef\xbb\xbf{"a": 1}')
    assert document.value == {"a": 1}
    assert [note.rule for note in document.notes] == ["read/encoding-bom"]


def test_control_characters_and_lone_surrogates_are_listed_by_pointer() -> None:
    document = _document(
        b'{"name": "a\\u0000b", "tab": "\\t", "emoji": "\\ud83d\\ude00", "lone": "\\ud800", "k\\u0001": 1}'
    )
    assert sorted(problem.pointer or "" for problem in document.bad_strings) == ["/k\x01", "/lone", "/name"]
    assert document.value["emoji"] == "\N{GRINNING FACE}"


def test_too_large_is_refused_without_parsing() -> None:
    assert _problem(b"[" + b"1," * 1000 + b"1]", max_bytes=100).rule == "read/too-large"


def test_messages_never_contain_the_document() -> None:
    private_value = "Private-Name-7"
    for data in (
        f'{{"{private_value}": 1, "{private_value}": 2}}'.encode(),
        f'{{"a": "{private_value}", "b": NaN}}'.encode(),
        f'{{"a": "{private_value}"'.encode(),
    ):
        problem = _problem(data)
        assert private_value not in problem.message


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [key, *_strings(item)]]
    return []


@given(_json_values)
@example("\b")  # found by Hypothesis: the short escapes \b and \f also carry control characters
@example({"k\f": 1})
def test_any_json_value_round_trips(value: object) -> None:
    document = load_json(json.dumps(value).encode())
    assert isinstance(document, JsonDocument)
    assert document.value == value
    has_control = any(ord(char) < 32 and char not in "\t\r\n" for text in _strings(value) for char in text)
    assert bool(document.bad_strings) == has_control


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = load_json(data)
    assert isinstance(result, JsonDocument | JsonProblem)
    if isinstance(result, JsonDocument):
        result.line_of("/0/a")  # the line index copes with whatever parsed
