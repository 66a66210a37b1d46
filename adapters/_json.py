"""Hardened JSON loading shared by the JSON readers (FHIR R4, DfE CSC API).

Untrusted JSON is refused, with a located problem, when it is:

* too large (``max_bytes``), not UTF-8 (UTF-16/32, Latin-1 ...), or syntactically invalid;
* nested deeper than ``max_depth`` (checked on the text *before* any recursive parser runs);
* ambiguous: an object with a duplicate key (the standard library would silently keep the last one);
* using ``NaN``/``Infinity`` (not JSON), or numbers too long to be meaningful (``1e400``, 5,000 digits).

Strings holding control characters other than tab, CR and LF (``\\u0000`` ...) or lone surrogates are not
a parse failure: :attr:`JsonDocument.bad_strings` lists their JSON pointers so a reader can drop only the
part of the document that contains them.

Line numbers cost a pass over the text, so they are computed only when asked for
(:meth:`JsonDocument.line_of`), which readers do only when they report a problem.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Final, Literal

import orjson

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_DEPTH", "JsonDocument", "JsonProblem", "escape_pointer", "load_json"]

DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH: Final = 64
_MAX_INT_DIGITS: Final = 19
_MAX_FLOAT_CHARS: Final = 40
_LARGE_NUMBER: Final = 10**18
"""Numbers this large (orjson turns over-long integers into floats) are checked on the exact path."""

_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
# An escaped control character or surrogate somewhere in the text: only then are the strings inspected.
_SUSPECT_ESCAPE: Final = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F][0-9a-fA-F]{2})")
_BAD_CHARACTER: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_OPEN: Final = frozenset("{[")
_TOKEN: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)
_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """Something wrong with a JSON file, located by JSON pointer and/or line. Never holds file content."""

    rule: str
    message: str
    severity: Severity = "error"
    pointer: str | None = None
    line: int | None = None


class _Refused(Exception):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def escape_pointer(part: str | int) -> str:
    """One JSON-pointer reference token (``~`` and ``/`` escaped)."""
    return str(part).replace("~", "~0").replace("/", "~1")


@dataclass
class JsonDocument:
    """A parsed JSON document with its text kept for (lazy) line lookups."""

    value: Any
    text: str
    notes: list[JsonProblem] = field(default_factory=list)
    """Warnings about the file that did not stop it loading (a UTF-8 byte-order mark ...)."""
    bad_strings: list[JsonProblem] = field(default_factory=list)
    """Strings with forbidden characters, by pointer: the reader drops the part that holds them."""
    _lines: dict[str, int] | None = field(default=None, repr=False)

    def line_of(self, pointer: str) -> int | None:
        """The 1-based line where the value at ``pointer`` starts, or of its nearest existing ancestor."""
        if self._lines is None:
            self._lines = dict(_iter_value_lines(self.text))
        probe = pointer
        while True:
            line = self._lines.get(probe)
            if line is not None or not probe:
                return line
            probe = probe.rsplit("/", 1)[0]


def load_json(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> JsonDocument | JsonProblem:
    """Parse untrusted JSON bytes, or say precisely why not. Never raises on bad input.

    The fast path parses with orjson (which refuses NaN, bad UTF-8 and nesting beyond 1024 by itself)
    and surveys the result without recursion: depth, long numbers, and duplicate keys (a key dropped
    by a duplicate shows as a ``:`` in the text that no parsed key or string accounts for). Anything the
    survey cannot vouch for goes to the exact path, which decides and locates the problem.
    """
    if len(data) > max_bytes:
        return JsonProblem("read/too-large", f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    notes: list[JsonProblem] = []
    text_or_problem = _decode(data, notes)
    if isinstance(text_or_problem, JsonProblem):
        return text_or_problem
    text = text_or_problem
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _load_exact(text, notes, max_depth)
    keys, colons, depth, odd_number = _survey(value)
    if depth > max_depth or odd_number or text.count(":") - colons != keys:
        return _load_exact(text, notes, max_depth)
    return _document(value, text, notes)


def _survey(value: Any) -> tuple[int, int, int, bool]:
    """(object keys, colons inside keys and strings, depth, any number the exact path must judge)."""
    keys = colons = depth = 0
    odd_number = False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if type(node) is dict:
            keys += len(node)
            for key in node:
                colons += key.count(":")
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        depth = max(depth, level)
        for child in children:
            kind = type(child)
            if kind is str:
                colons += child.count(":")
            elif kind is dict or kind is list:
                stack.append((child, level + 1))
            elif kind is float or kind is int:
                odd_number = odd_number or abs(child) >= _LARGE_NUMBER
    if type(value) is float or type(value) is int:
        odd_number = abs(value) >= _LARGE_NUMBER
    return keys, colons, depth, odd_number


def _load_exact(text: str, notes: list[JsonProblem], max_depth: int) -> JsonDocument | JsonProblem:
    depth_problem = _check_depth(text, max_depth)
    if depth_problem is not None:
        return depth_problem
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_object,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except _Refused as refused:
        return _locate_refusal(text, refused)
    except json.JSONDecodeError as exc:
        return JsonProblem("read/json-syntax", f"the file is not valid JSON ({exc.msg})", line=exc.lineno)
    except (RecursionError, ValueError):
        return JsonProblem("read/json-syntax", "the file is not valid JSON")
    return _document(value, text, notes)


def _document(value: Any, text: str, notes: list[JsonProblem]) -> JsonDocument:
    document = JsonDocument(value=value, text=text, notes=notes)
    # Control characters can only arrive escaped: as \uXXXX, or as the short escapes \b and \f.
    if ("\\u" in text and _SUSPECT_ESCAPE.search(text)) or "\\b" in text or "\\f" in text:
        document.bad_strings = [
            JsonProblem(
                "read/json-control-character",
                "a string holds a control character or an unpaired surrogate, which FHIR and JSON exchanges forbid",
                pointer=pointer,
                line=None,
            )
            for pointer in _iter_bad_strings(value)
        ]
    return document


def _decode(data: bytes, notes: list[JsonProblem]) -> str | JsonProblem:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return JsonProblem("read/encoding", f"the file is {name}; send JSON as UTF-8")
    if len(data) >= 4 and (data[0] == 0 or data[1] == 0):
        return JsonProblem("read/encoding", "the file looks like UTF-16 or UTF-32; send JSON as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append(
            JsonProblem("read/encoding-bom", "the file starts with a UTF-8 byte-order mark; JSON should not", "warning")
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return JsonProblem("read/encoding", "the file is not valid UTF-8 (send JSON as UTF-8)", line=line)


def _check_depth(text: str, max_depth: int) -> JsonProblem | None:
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return None
    deepest = max(accumulate(map(_STEP.__getitem__, brackets)))
    if deepest <= max_depth:
        return None
    line = None
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        depth += _STEP.get(token, 0)
        if depth > max_depth:
            line = text.count("\n", 0, match.start()) + 1
            break
    return JsonProblem("read/json-depth", f"the JSON is nested deeper than {max_depth} levels", line=line)


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused("read/json-duplicate-key", "an object has the same key twice, so its meaning is ambiguous")
    return result


def _refuse_constant(name: str) -> Any:
    raise _Refused("read/json-number", f"{name} is not a JSON number")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused("read/json-number", f"a number has more than {_MAX_INT_DIGITS} digits")
    return int(digits)


def _bounded_float(literal: str) -> float:
    number = float(literal) if len(literal) <= _MAX_FLOAT_CHARS else math.inf
    if not math.isfinite(number):
        raise _Refused("read/json-number", "a number is too large or too long to represent")
    return number


def _locate_refusal(text: str, refused: _Refused) -> JsonProblem:
    """Find where the first refused construct is (a second, slow pass, only on this error path)."""
    for pointer, line, token, duplicate in _iter_tokens(text):
        if refused.rule == "read/json-duplicate-key" and duplicate:
            return JsonProblem(refused.rule, refused.message, pointer=pointer, line=line)
        if refused.rule == "read/json-number" and token is not None and _is_refused_number(token):
            return JsonProblem(refused.rule, refused.message, pointer=pointer, line=line)
    return JsonProblem(refused.rule, refused.message)


def _is_refused_number(token: str) -> bool:
    if token in ("true", "false", "null"):
        return False
    try:
        if re.fullmatch(r"-?[0-9]+", token):
            _bounded_int(token)
        else:
            _bounded_float(token)
    except (_Refused, ValueError):
        return True
    return False


def _iter_bad_strings(value: Any) -> Iterator[str]:
    """Pointers of strings (and keys) with forbidden characters. Iterative: depth was checked, but no recursion."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, str):
            if _BAD_CHARACTER.search(node):
                yield pointer
        elif isinstance(node, dict):
            for key, child in node.items():
                child_pointer = f"{pointer}/{escape_pointer(key)}"
                if _BAD_CHARACTER.search(key):
                    yield child_pointer
                stack.append((child_pointer, child))
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{index}", child) for index, child in enumerate(node))


def _iter_value_lines(text: str) -> Iterator[tuple[str, int]]:
    for pointer, line, _, _ in _iter_tokens(text):
        yield pointer, line


class _Frame:
    __slots__ = ("index", "is_object", "key", "keys", "pointer")

    def __init__(self, pointer: str, is_object: bool) -> None:
        self.pointer = pointer
        self.is_object = is_object
        self.index = 0
        self.key: str | None = None
        self.keys: set[str] = set()


def _iter_tokens(text: str) -> Iterator[tuple[str, int, str | None, bool]]:
    """Walk the text lexeme by lexeme, yielding (pointer, line, scalar lexeme or None, duplicate key?) per value.

    Tolerant of errors (it is only used to locate them) and iterative, so it cannot exhaust the stack.
    """
    stack: list[_Frame] = []
    line = 1
    position = 0
    expecting_key = False
    for match in _TOKEN.finditer(text):
        start = match.start()
        line += text.count("\n", position, start)
        position = start
        lexeme = match.group()
        frame = stack[-1] if stack else None
        if frame is not None and frame.is_object and expecting_key:
            if lexeme.startswith('"'):
                frame.key = _decode_key(lexeme)
                duplicate = frame.key in frame.keys
                frame.keys.add(frame.key)
                if duplicate:
                    yield f"{frame.pointer}/{escape_pointer(frame.key)}", line, None, True
                expecting_key = False
                continue
            if lexeme == "}":
                stack.pop()
                continue
        if lexeme == ":":
            continue
        if lexeme == ",":
            if frame is not None:
                if frame.is_object:
                    expecting_key = True
                else:
                    frame.index += 1
            continue
        if lexeme in ("}", "]"):
            if stack:
                stack.pop()
            continue
        if frame is None:
            pointer = ""
        elif frame.is_object:
            pointer = f"{frame.pointer}/{escape_pointer(frame.key or '')}"
        else:
            pointer = f"{frame.pointer}/{frame.index}"
        if lexeme in _OPEN:
            is_object = lexeme.startswith("{")
            yield pointer, line, None, False
            stack.append(_Frame(pointer, is_object))
            expecting_key = is_object
        else:
            yield pointer, line, None if lexeme.startswith('"') else lexeme, False


def _decode_key(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:
        return token.strip('"')
    return key if isinstance(key, str) else token
