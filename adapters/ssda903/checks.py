"""Checking a collected submission: its year, its LA, every cell against the year's column spec.

* **Year**: the explicit option wins (``2025``, ``2024-25``); else the highest value of a ``YEAR``
  column (liia-tools extracts); else the collection year (1 April to 31 March) of the latest date in the
  episodes, reviews, missing, social-worker and adoption dates. Clamped to the specs we have (2017-2026).
* **LA**: the declared LA (from the envelope) wins; else an ``LA`` column (DfE number, or a London
  borough name through ``mappings/codes/dfe-la-number-by-name.yaml``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from adapters.ssda903.collect import Collected
from adapters.ssda903.rows import TableRow
from adapters.ssda903.spec import FIRST_YEAR, LAST_YEAR, YearSpec, collection_year_label, parse_year
from gateway import Issue, SourceLocation
from gateway.mapping import CodeTables, parse_date

__all__ = ["DATE_COLUMNS", "YearChoice", "check_cells", "choose_year", "la_of_row"]

DATE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "episodes": ("DECOM", "DEC"),
    "reviews": ("REVIEW",),
    "missing": ("MIS_START", "MIS_END"),
    "sw_episodes": ("SW_DECOM", "SW_DEC"),
    "placed_for_adoption": ("DATE_PLACED", "DATE_PLACED_CEASED"),
    "ad1": ("DATE_INT", "DATE_MATCH"),
}


@dataclass(frozen=True)
class YearChoice:
    """The spec year used and how it was chosen."""

    year: int
    source: str
    """``option``, ``YEAR column``, ``data`` or ``default``."""


def _any_date(text: str) -> date | None:
    value = text.strip()
    try:
        return parse_date(value, "dd/mm/yyyy") or parse_date(value, "yyyy-mm-dd")
    except ValueError:
        return None


def choose_year(collected: Collected, option: int | None, issues: list[Issue]) -> YearChoice:
    """The year to validate against (see the module docstring); the choice is reported as information."""
    if option is not None:
        return YearChoice(option, "option")
    years = Counter(
        year
        for rows in collected.rows.values()
        for row in rows
        if "YEAR" in row.values and (year := parse_year(row.values["YEAR"])) is not None
    )
    if years:
        chosen = max(years)
        if len(years) > 1:
            issues.append(
                Issue(
                    rule="read/ssda903/mixed-years",
                    severity="warning",
                    message=f"rows carry {len(years)} different YEAR values; all were checked against "
                    f"the latest, {collection_year_label(chosen)}",
                    location=SourceLocation(column="YEAR"),
                )
            )
        return _report(YearChoice(chosen, "YEAR column"), issues)
    latest: date | None = None
    for table, columns in DATE_COLUMNS.items():
        for row in collected.rows.get(table, ()):
            for column in columns:
                found = _any_date(row.values.get(column, ""))
                if found is not None and (latest is None or found > latest):
                    latest = found
    if latest is None:
        return _report(YearChoice(LAST_YEAR, "default"), issues)
    year = latest.year + (1 if latest.month >= 4 else 0)
    if year > LAST_YEAR or year < FIRST_YEAR:
        clamped = min(max(year, FIRST_YEAR), LAST_YEAR)
        issues.append(
            Issue(
                rule="read/ssda903/year-out-of-range",
                severity="warning",
                message=f"the latest date falls outside the returns this gateway knows (2016-17 to "
                f"2025-26); the {collection_year_label(clamped)} spec was used",
            )
        )
        year = clamped
    return _report(YearChoice(year, "data"), issues)


_OVERRIDE: Final = {
    "YEAR column": "change the YEAR values to check it as another year",
    "data": "to check it as another year, give its rows a YEAR column (2025 for the 2024-25 return)",
    "default": "to check it as another year, give its rows a YEAR column (2025 for the 2024-25 return)",
}
"""What the supplier can do about the year chosen, by how it was chosen."""


def _report(choice: YearChoice, issues: list[Issue]) -> YearChoice:
    how = {
        "YEAR column": "from the YEAR column",
        "data": "from the latest date in the data",
        "default": "by default: no year was given and the data has no dates",
    }[choice.source]
    issues.append(
        Issue(
            rule="read/ssda903/year",
            severity="information",
            message=f"checked as the {collection_year_label(choice.year)} return, chosen {how}; "
            + _OVERRIDE[choice.source],
        )
    )
    return choice


def la_of_row(row: TableRow, tables: CodeTables) -> str | None:
    """The DfE LA number an ``LA`` column gives for this row (a number, or a known LA name)."""
    text = row.values.get("LA", "").strip()
    if not text:
        return None
    if len(text) == 3 and text.isdigit():
        return text
    table = tables.get("dfe-la-number-by-name")
    found = table.lookup(text) if table is not None else None
    return found.code if found is not None else None


def check_cells(rows: Iterable[TableRow], spec: YearSpec, flagged: set[tuple[Any, ...]]) -> list[Issue]:
    """Every cell of ``rows`` against the year's column spec. Flagged cells go in ``flagged``
    (``(file, row, line, column)``) so the mapping does not report the same cell twice."""
    issues: list[Issue] = []
    columns_by_table = {
        table: tuple((name, column, column.codes, column.kind == "string") for name, column in columns.items())
        for table, columns in spec.tables.items()
    }
    for row in rows:
        columns = columns_by_table.get(row.table)
        if columns is None:
            continue
        values = row.values
        for name, column, codes, text in columns:
            value = values.get(name)
            # A missing column is reported once per file; an exact code or non-blank text is fine (fast path).
            if value is None or value in codes or (text and value.strip()):
                continue
            problem = column.check(value)
            if problem is None:
                continue
            where = row.location(name)
            flagged.add((where.get("file"), where.get("row"), where.get("line"), where.get("column")))
            issues.append(
                Issue.model_validate(
                    {
                        "rule": problem.rule,
                        "severity": problem.severity,
                        "message": problem.message,
                        "location": where,
                        "child": row.child or None,
                    }
                )
            )
    return issues
