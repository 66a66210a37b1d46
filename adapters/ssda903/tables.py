"""Which SSDA903 table a CSV file holds, told by its header columns (the file name only breaks ties)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from adapters.ssda903.spec import LAST_YEAR, load_year

__all__ = ["EXTENSION_COLUMNS", "TableMatch", "identify_table", "table_columns"]

EXTENSION_COLUMNS: Final = frozenset({"LA", "YEAR"})
"""Columns that liia-tools adds to cleaned extracts: the LA (name or number) and the collection year."""

_MIN_SCORE: Final = 0.3


@dataclass(frozen=True, slots=True)
class TableMatch:
    """The table a header matched, how well, and the columns missing or extra."""

    table: str
    score: float
    missing: tuple[str, ...]
    extra: tuple[str, ...]


@cache
def table_columns() -> dict[str, tuple[str, ...]]:
    """Table id -> its columns (from the latest spec; the column sets do not change between years)."""
    return {table: tuple(columns) for table, columns in load_year(LAST_YEAR).tables.items()}


def identify_table(header: Iterable[str], file_name: str) -> TableMatch | None:
    """The best-matching table for ``header`` (upper-cased names), or ``None`` when nothing fits."""
    names = {name for name in header if name} - EXTENSION_COLUMNS
    if not names:
        return None
    stem = file_name.lower()
    best: tuple[float, int, str] | None = None
    for table, columns in table_columns().items():
        wanted = set(columns)
        score = len(names & wanted) / len(names | wanted)
        hint = 1 if table.replace("_", "") in stem.replace("_", "").replace("-", "") else 0
        key = (score, hint, table)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or best[0] < _MIN_SCORE:
        return None
    table = best[2]
    wanted_columns = table_columns()[table]
    return TableMatch(
        table=table,
        score=best[0],
        missing=tuple(column for column in wanted_columns if column not in names),
        extra=tuple(sorted(names - set(wanted_columns))),
    )
