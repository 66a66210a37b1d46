"""One row of one SSDA903 table, from a CSV file or a 903 XML file, before it is checked and mapped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.mapping import SourceRow

__all__ = ["TableRow"]


@dataclass(slots=True)
class TableRow:
    """Raw values by CSV column name, and where they are (``locations`` per key for XML)."""

    table: str
    values: dict[str, str]
    file: str
    row: int | None
    line: int | None
    locations: dict[str, dict[str, Any]] | None = None
    path: str | None = None
    """XPath of the row's element (XML)."""

    @property
    def child(self) -> str:
        return self.values.get("CHILD", "").strip()

    def location(self, key: str | None) -> dict[str, Any]:
        """Where ``key`` is (plain data in the shape of ``SourceLocation``; ``None`` parts dropped)."""
        if self.locations is not None and key is not None and key in self.locations:
            return self.locations[key]
        where: dict[str, Any] = {"file": self.file}
        if self.row is not None:
            where["row"] = self.row
        if self.line is not None:
            where["line"] = self.line
        if key is not None:
            where["column"] = key
        elif self.path is not None:
            where["path"] = self.path
        return where

    def source_row(self) -> SourceRow:
        """The row as the mapping engine's input."""
        return SourceRow(self.values, file=self.file, row=self.row, line=self.line, locations=self.locations)
