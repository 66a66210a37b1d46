"""The whitelist of named transforms a mapping file may use. Nothing else runs: no ``eval``, no imports.

Each transform is compiled once when the mapping loads (its arguments checked, its code table found) into
a plain function ``value -> value``. A value the transform cannot accept raises :class:`ValueProblem`
(the field is then left unset and an issue is raised); a value it accepts with a remark appends a
:class:`Note` (a warning issue). Messages never contain the value, except short codes (see
:func:`describe_code`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from gateway.identifiers import is_valid_uk_postcode, normalise_nhs_number, normalise_postcode
from gateway.mapping.codes import CodeTables
from gateway.model import Severity

__all__ = [
    "DATE_FORMATS",
    "TRANSFORM_NAMES",
    "Note",
    "Transform",
    "ValueProblem",
    "compile_transform",
    "describe_code",
    "fuse",
    "parse_date",
]

DATE_FORMATS: Final = ("dd/mm/yyyy", "yyyy-mm-dd", "dd-mm-yyyy", "dd.mm.yyyy", "yyyymmdd")
TRANSFORM_NAMES: Final = (
    "boolean", "code", "coding", "collapse_spaces", "concat", "date", "integer", "lower", "nhs_number",
    "postcode", "remove_spaces", "split", "strip", "upper",
)  # fmt: skip

_CODE_SHAPE = re.compile(r"[A-Z0-9]{1,3}|(?=[A-Z]*[0-9])[A-Z0-9]{4,6}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


@dataclass(frozen=True, slots=True)
class Note:
    """A remark about an accepted value: becomes an issue (usually a warning) located at the field."""

    rule: str
    message: str
    severity: Severity = "warning"


class ValueProblem(Exception):
    """The value cannot be used; internal to the engine, which turns it into an :class:`~gateway.Issue`."""

    def __init__(self, rule: str, message: str, severity: Severity = "error") -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.severity = severity


Transform = Callable[[Any, list[Note]], Any]
"""A compiled transform: takes the value and a list to append notes to; returns the new value."""


def describe_code(value: str) -> str:
    """Name a supplier's value in a message only when it looks like a code, never like free text.

    Short codes (up to three upper-case letters or digits, or up to six with a digit: ``X``, ``U7``,
    ``PN9``, ``E4C``) are named; anything else (which might be a name or a date) is not.
    """
    stripped = value.strip()
    if _CODE_SHAPE.fullmatch(stripped):
        return f"code {stripped!r}"
    return "a value that is not one of its codes"


# --- dates ----------------------------------------------------------------------------------------------

_DateParser = Callable[[str], "date | None"]


_CACHE_LIMIT: Final = 65_536
_IMPOSSIBLE: Final = object()


def _separated(separator: str, year_first: bool) -> _DateParser:
    # Dates repeat a lot in a submission (a child's DOB in every table, one episode's end the next's start):
    # results are cached per layout, bounded by clearing when full.
    cache: dict[str, object] = {}

    def read(value: str) -> date | None:
        parts = value.split(separator)
        if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
            return None
        if year_first:
            year, month, day = parts
        else:
            day, month, year = parts
        if len(year) != 4 or not (1 <= len(month) <= 2 and 1 <= len(day) <= 2):
            return None
        return _make_date(int(year), int(month), int(day))

    def parse(value: str) -> date | None:
        found = cache.get(value, cache)
        if found is cache:
            try:
                found = read(value)
            except _ImpossibleDate:
                found = _IMPOSSIBLE
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[value] = found
        if found is _IMPOSSIBLE:
            raise _ImpossibleDate
        return found  # type: ignore[return-value]

    return parse


def _compact(value: str) -> date | None:
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    return _make_date(int(value[:4]), int(value[4:6]), int(value[6:]))


class _ImpossibleDate(Exception):
    pass


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _ImpossibleDate from None


_DATE_PARSERS: Final[dict[str, _DateParser]] = {
    "dd/mm/yyyy": _separated("/", year_first=False),
    "dd-mm-yyyy": _separated("-", year_first=False),
    "dd.mm.yyyy": _separated(".", year_first=False),
    "yyyy-mm-dd": _separated("-", year_first=True),
    "yyyymmdd": _compact,
}


def parse_date(value: str, fmt: str) -> date | None:
    """``value`` read in layout ``fmt``; ``None`` when it is not in that layout. Raises ``ValueError`` for 31/02."""
    try:
        return _DATE_PARSERS[fmt](value)
    except _ImpossibleDate:
        raise ValueError("impossible date") from None


def _date(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    fmt: str = args["format"]
    primary = _DATE_PARSERS[fmt]
    others = [(name, _DATE_PARSERS[name]) for name in args.get("also_accept", ()) if name != fmt]

    def transform(value: Any, notes: list[Note]) -> Any:
        text = value.strip()
        try:
            parsed = primary(text)
            if parsed is not None:
                return parsed
            for name, parser in others:
                parsed = parser(text)
                if parsed is not None:
                    notes.append(Note("map/date-format", f"date written as {name}; the format is {fmt}"))
                    return parsed
        except _ImpossibleDate:
            raise ValueProblem("map/invalid-date", "not a real calendar date") from None
        raise ValueProblem("map/date-format", f"not a date in the format {fmt}")

    return transform


# --- codes and booleans ------------------------------------------------------------------------------------


def _code(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    table_id: str = args["table"]
    table = tables.get(table_id)
    if table is None:
        raise LookupError(f"code table {table_id!r} not found")
    severity: Severity = args.get("severity", table.unmapped)

    def transform(value: Any, notes: list[Note]) -> Any:
        found = table.lookup(value)
        if found is None:
            raise ValueProblem("map/unmapped-code", f"{describe_code(value)} is not in code table {table_id}", severity)
        if found.alias_of is not None:
            notes.append(Note("map/code-alias", f"written as a description instead of the code {found.alias_of!r}"))
        return found.code

    return transform


def _boolean(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    case_sensitive: bool = args.get("case_sensitive", False)

    def fold(text: str) -> str:
        return text if case_sensitive else text.upper()

    truth = {fold(code): True for code in args["true"]} | {fold(code): False for code in args["false"]}

    def transform(value: Any, notes: list[Note]) -> Any:
        found = truth.get(fold(value.strip()))
        if found is None:
            raise ValueProblem("map/invalid-boolean", f"{describe_code(value)} is not a yes/no code here")
        return found

    return transform


def _coding(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    system: str = args["system"]
    return lambda value, notes: {"system": system, "code": value}


def _integer(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    def transform(value: Any, notes: list[Note]) -> Any:
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            raise ValueProblem("map/invalid-integer", "not a whole number")
        return int(text)

    return transform


# --- text ----------------------------------------------------------------------------------------------------


def _text_transform(functions: tuple[Callable[[str], str], ...]) -> Transform:
    def apply(text: str) -> str:
        for function in functions:
            text = function(text)
        return text

    def transform(value: Any, notes: list[Note]) -> Any:
        if isinstance(value, list):
            return [apply(part) for part in value]
        return apply(value)

    transform.text_functions = functions  # type: ignore[attr-defined]
    return transform


def _text(function: Callable[[str], str]) -> Callable[[Mapping[str, Any], CodeTables], Transform]:
    def factory(args: Mapping[str, Any], tables: CodeTables) -> Transform:
        return _text_transform((function,))

    return factory


def fuse(transforms: Sequence[Transform]) -> tuple[Transform, ...]:
    """Join runs of text transforms (``strip``, ``upper`` ...) into one call each: the same result, faster."""
    fused: list[Transform] = []
    for transform in transforms:
        functions = getattr(transform, "text_functions", None)
        previous = getattr(fused[-1], "text_functions", None) if fused else None
        if functions is not None and previous is not None:
            fused[-1] = _text_transform(previous + functions)
        else:
            fused.append(transform)
    return tuple(fused)


def _postcode_text(value: str) -> str:
    normalised = normalise_postcode(value)
    if is_valid_uk_postcode(normalised):
        return normalised
    return " ".join(value.split()).upper()


def _split(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    separator: str | None = args.get("separator")
    max_parts: int = args.get("max_parts", 0)

    def transform(value: Any, notes: list[Note]) -> Any:
        if isinstance(value, list):
            return value
        parts = value.split(separator, max_parts - 1) if max_parts else value.split(separator)
        return [part.strip() for part in parts if part.strip()]

    return transform


def _concat(args: Mapping[str, Any], tables: CodeTables) -> Transform:
    separator: str = args.get("separator", " ")

    def transform(value: Any, notes: list[Note]) -> Any:
        if isinstance(value, list):
            return separator.join(part.strip() for part in value if part and part.strip())
        return value

    return transform


_FACTORIES: Final[dict[str, Callable[[Mapping[str, Any], CodeTables], Transform]]] = {
    "boolean": _boolean,
    "code": _code,
    "coding": _coding,
    "collapse_spaces": _text(lambda text: " ".join(text.split())),
    "concat": _concat,
    "date": _date,
    "integer": _integer,
    "lower": _text(str.lower),
    "nhs_number": _text(normalise_nhs_number),
    "postcode": _text(_postcode_text),
    "remove_spaces": _text(lambda text: "".join(text.split())),
    "split": _split,
    "strip": _text(str.strip),
    "upper": _text(str.upper),
}


def compile_transform(name: str, args: Mapping[str, Any], tables: CodeTables) -> Transform:
    """Compile the named transform with its arguments. ``LookupError`` for an unknown name or code table."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise LookupError(f"unknown transform {name!r}; known: {', '.join(TRANSFORM_NAMES)}")
    return factory(args, tables)
