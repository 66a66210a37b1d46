"""The SSDA903 yearly column specs (``schemas/ssda903/``): load a year, apply the diffs, check cells.

Years 2017-2024 are complete files; 2025 and 2026 are diffs over the previous year (``type: modify``
replaces the value at a dotted path such as ``column_map.header.SEX.category``; ``add`` sets a new one;
``delete`` removes it). Table names are matched ignoring case (the diffs write ``header`` where the full
files write ``Header``). Year ``N`` is the return for the collection year ending 31 March ``N``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, Literal

import yaml

from gateway.mapping import describe_code, parse_date
from gateway.resources import data_dir

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "TABLE_IDS",
    "CellProblem",
    "ColumnSpec",
    "YearSpec",
    "apply_diff",
    "collection_year_label",
    "load_year",
    "parse_year",
]

FIRST_YEAR: Final = 2017
LAST_YEAR: Final = 2026

TABLE_IDS: Final[dict[str, str]] = {
    "header": "header",
    "episodes": "episodes",
    "reviews": "reviews",
    "uasc": "uasc",
    "oc2": "oc2",
    "oc3": "oc3",
    "ad1": "ad1",
    "placedadoption": "placed_for_adoption",
    "prevperm": "previous_permanence",
    "missing": "missing",
    "socialworker": "sw_episodes",
}
"""Spec table name (lower-cased) -> the reader's table id."""

_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
Kind = Literal["string", "date", "integer", "category"]


def _subject(text: str) -> str:
    """``code 'X9'`` when the value looks like a code (see ``describe_code``), else ``the value``."""
    described = describe_code(text)
    return described if described.startswith("code ") else "the value"


@dataclass(frozen=True, slots=True)
class CellProblem:
    """What is wrong with one cell."""

    rule: str
    severity: Literal["error", "warning"]
    message: str


@dataclass(frozen=True)
class ColumnSpec:
    """One column of one table in one year's spec."""

    name: str
    kind: Kind
    can_be_blank: bool
    codes: frozenset[str] = frozenset()
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """Upper-cased description (or legacy code) -> the code it stands for."""
    year: int = LAST_YEAR

    def check(self, value: str) -> CellProblem | None:
        """The problem with ``value`` in this column, or ``None``."""
        if value in self.codes:
            return None  # the common case first: an exact code
        text = value.strip()
        if not text:
            if self.can_be_blank:
                return None
            return CellProblem("spec/ssda903/blank", "error", f"{self.name} must not be blank")
        kind = self.kind
        if kind == "string":
            return None
        if kind == "category":
            if text in self.codes or text.upper() in self.codes:
                return None
            code = self.descriptions.get(text.upper())
            if code is not None:
                return CellProblem(
                    "spec/ssda903/category-description",
                    "warning",
                    f"{self.name} is written as a description or old code; the {collection_year_label(self.year)} code "
                    f"is {code!r}",
                )
            return CellProblem(
                "spec/ssda903/category",
                "error",
                f"{self.name}: {_subject(text)} is not a code of the {collection_year_label(self.year)} return "
                f"({', '.join(sorted(self.codes))})",
            )
        if kind == "date":
            try:
                if parse_date(text, "dd/mm/yyyy") is not None:
                    return None
                if parse_date(text, "yyyy-mm-dd") is not None:
                    return CellProblem(
                        "spec/ssda903/date-format",
                        "warning",
                        f"{self.name} is written yyyy-mm-dd; the return uses dd/mm/yyyy",
                    )
            except ValueError:
                return CellProblem("spec/ssda903/date", "error", f"{self.name} is not a real calendar date")
            return CellProblem("spec/ssda903/date", "error", f"{self.name} is not a date in the format dd/mm/yyyy")
        if kind == "integer" and not _INTEGER.fullmatch(text):
            return CellProblem("spec/ssda903/integer", "error", f"{self.name} must be a whole number")
        return None


@dataclass(frozen=True)
class YearSpec:
    """Every table's columns for one year."""

    year: int
    tables: Mapping[str, Mapping[str, ColumnSpec]]

    @property
    def label(self) -> str:
        return collection_year_label(self.year)


def collection_year_label(year: int) -> str:
    """``2025`` -> ``2024-25`` (the collection year ending 31 March 2025)."""
    return f"{year - 1}-{year % 100:02d}"


def parse_year(text: str) -> int | None:
    """``2025``, ``2024-25`` or ``2024/25`` -> 2025; ``None`` when it is none of these or unsupported."""
    value = text.strip()
    match = re.fullmatch(r"([0-9]{4})(?:[-/]([0-9]{2}|[0-9]{4}))?", value)
    if not match:
        return None
    year = int(match.group(1)) + (1 if match.group(2) else 0)
    if match.group(2) and int(match.group(2)[-2:]) != year % 100:
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _find_key(node: Mapping[str, Any], key: str) -> str | None:
    if key in node:
        return key
    lowered = key.lower()
    return next((existing for existing in node if str(existing).lower() == lowered), None)


def apply_diff(spec: dict[str, Any], diff: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` with the diff's changes applied (paths matched ignoring case)."""
    result = copy.deepcopy(spec)
    for dotted, change in diff.items():
        parts = str(dotted).split(".")
        node = result
        for part in parts[:-1]:
            key = _find_key(node, part)
            if key is None:
                node[part] = {}
                key = part
            node = node[key]
        leaf = _find_key(node, parts[-1]) or parts[-1]
        kind = change.get("type", "modify")
        if kind == "delete":
            node.pop(leaf, None)
        else:
            node[leaf] = copy.deepcopy(change["value"])
    return result


@cache
def _raw(year: int) -> dict[str, Any]:
    folder = data_dir("schemas") / "ssda903"
    full = folder / f"SSDA903_schema_{year}.yml"
    if full.is_file():
        return yaml.safe_load(full.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    diff = folder / f"SSDA903_schema_{year}.diff.yml"
    return apply_diff(_raw(year - 1), yaml.safe_load(diff.read_text(encoding="utf-8")))


def _names(entry: Mapping[str, Any]) -> list[str]:
    name = entry.get("name")
    if name is None:
        return []
    return [str(item) for item in name] if isinstance(name, list) else [str(name)]


def _column(name: str, raw: Mapping[str, Any], year: int) -> ColumnSpec:
    can_be_blank = bool(raw.get("canbeblank", True))
    if "category" in raw:
        codes = frozenset(str(entry["code"]).strip() for entry in raw["category"])
        descriptions: dict[str, str] = {}
        for entry in raw["category"]:
            for label in _names(entry):
                descriptions.setdefault(label.strip().upper(), str(entry["code"]).strip())
        for label, code in (raw.get("dictionary") or {}).items():
            if str(code).strip() in codes:
                descriptions.setdefault(str(label).strip().upper(), str(code).strip())
        for code in codes:
            descriptions.pop(code, None)
        return ColumnSpec(name, "category", can_be_blank, codes, descriptions, year)
    if "date" in raw:
        return ColumnSpec(name, "date", can_be_blank, year=year)
    if "numeric" in raw:
        return ColumnSpec(name, "integer", can_be_blank, year=year)
    return ColumnSpec(name, "string", can_be_blank, year=year)


@cache
def load_year(year: int) -> YearSpec:
    """The spec for ``year`` (2017-2026), diffs applied."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"no SSDA903 spec for {year}")
    tables: dict[str, dict[str, ColumnSpec]] = {}
    for table, columns in _raw(year)["column_map"].items():
        table_id = TABLE_IDS.get(str(table).lower())
        if table_id is None:
            continue
        tables[table_id] = {str(name): _column(str(name), raw, year) for name, raw in columns.items()}
    return YearSpec(year, tables)
