"""Where an issue is in the supplier's file: a record's lineage searched for the field a rule reports.

A record's lineage is indexed only when an issue must be located in it (most records of a clean file never
are), from the plain rows a compact :class:`~gateway.Lineage` keeps, so no ``FieldSource`` model is built;
the location is built from the row once the issue is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from gateway import ChildRecord, FieldSource, Lineage, SourceLocation
from gateway.model.lineage import location_parts

__all__ = ["Locator", "Row", "locate", "location_of"]


def locate(record: ChildRecord, pointer: str) -> SourceLocation | None:
    """Where ``pointer`` (a JSON pointer into ``record``) came from in the supplier's file.

    The field's own lineage when it was set; otherwise the first lineage entry inside it (a part such as
    ``/assessments/0``), else of its nearest enclosing part (for a missing field, the element that should
    have held it); else the record's own entry (``""``), else ``None``.
    """
    return Locator(record.lineage).location(pointer)


Row = tuple[Any, ...]
"""A lineage entry as plain values: ``(field, file, line, row, column, path, step)``."""


def _rows_of(lineage: Sequence[FieldSource]) -> Sequence[Row]:
    """The lineage as plain rows: those a compact :class:`~gateway.Lineage` keeps, as given (no models are
    built and rows are not validated here: a location is validated as it is built, see :func:`location_of`),
    or rows taken from ``FieldSource`` models."""
    if isinstance(lineage, Lineage):
        return lineage.unchecked_rows
    return [
        (entry.field, entry.source.file, entry.source.line, entry.source.row, entry.source.column, entry.source.path)
        for entry in lineage
    ]


_VALIDATE_LOCATION: Final = SourceLocation.__pydantic_validator__.validate_python
"""The model's own validator, called with a dict: what ``SourceLocation(**fields)`` does, without the keyword
unpacking (a location is built for every issue, tens of thousands in a large census file)."""


def location_of(entry: Row) -> SourceLocation | None:
    """The location of a lineage row ``(field, file, line, row, column, path, ...)`` (the parts given,
    validated); ``None`` when the row does not make a valid location (a reader's row that was never checked)."""
    try:
        file, line, row, column, path = entry[1:6]
        location: SourceLocation = _VALIDATE_LOCATION(location_parts(file, line, row, column, path))
    except (ValueError, TypeError):
        return None
    return location


class Locator:
    """One record's lineage, indexed on its first lookup (nothing is done for a record without issues).

    Entries are searched in order (the first entry for a field wins).
    """

    __slots__ = ("_fields", "_lineage", "_rows")

    def __init__(self, lineage: Sequence[FieldSource]) -> None:
        self._lineage = lineage
        self._rows: Sequence[Row] = ()
        self._fields: list[str] | None = None

    def _exact(self, pointer: str) -> int | None:
        fields = self._fields
        if fields is None:
            rows = _rows_of(self._lineage)
            try:
                fields = [row[0] for row in rows]
            except (TypeError, IndexError, KeyError):  # rows of an unchecked lineage that are not rows
                rows, fields = (), []
            self._rows, self._fields = rows, fields
        try:
            return fields.index(pointer)
        except ValueError:
            return None

    def _find(self, pointer: str) -> int | None:
        found = self._exact(pointer)
        if found is not None or not self._fields:
            return found
        target = pointer
        while True:
            inside = target + "/"
            for position, name in enumerate(self._fields):
                if isinstance(name, str) and name.startswith(inside):
                    return position
            if not target:
                return None
            target = target.rsplit("/", 1)[0]
            found = self._exact(target)
            if found is not None:
                return found

    def location(self, pointer: str) -> SourceLocation | None:
        values = self.values(pointer)
        return None if values is None else location_of(values)

    def values(self, pointer: str) -> Row | None:
        """The lineage row that locates ``pointer`` (plain values, kept until the location is built)."""
        position = self._find(pointer)
        return None if position is None else self._rows[position]

    def file(self) -> str | None:
        """The first file the record's lineage names."""
        if self._fields is None:
            self._exact("")
        for row in self._rows:
            if row[1]:
                return str(row[1])
        return None
