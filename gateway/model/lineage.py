"""Where a value came from: locations in the supplier's own file, and per-field lineage.

A record's lineage can hold hundreds of entries (one per field set), and readers build one record per
child, so :class:`Lineage` keeps the entries compactly — one validated tuple of plain values per entry —
and builds the :class:`FieldSource` models only when they are looked at. Its JSON (and its published
JSON Schema) is exactly that of a list of ``FieldSource`` objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, overload

from pydantic import Field, GetCoreSchemaHandler, TypeAdapter
from pydantic_core import SchemaValidator, core_schema

from gateway.model._base import CanonicalModel

__all__ = ["FieldSource", "Lineage", "LineageRow", "SourceLocation", "location_parts"]


class SourceLocation(CanonicalModel):
    """A place in the supplier's file, in the supplier's own terms. Every part is optional."""

    file: str | None = None
    """File name as the supplier sent it (never a server path)."""
    line: int | None = Field(default=None, ge=1)
    """1-based line in a text file (XML, JSON)."""
    row: int | None = Field(default=None, ge=1)
    """1-based data row in a CSV file (the header is row 0)."""
    column: str | None = None
    """CSV column name (or number when the header is missing)."""
    path: str | None = None
    """XPath (XML), JSON pointer (JSON) or CSV column for the element or field."""


class FieldSource(CanonicalModel):
    """Lineage of one canonical field: where it came from and which mapping step set it."""

    field: str
    """JSON pointer into the ChildRecord, e.g. ``/child/birth_date`` or ``/assessments/0/completed_date``."""
    source: SourceLocation
    step: str
    """The mapping rule or plugin step that set the field, e.g. ``cin-census-xml:PersonBirthDate``."""


LineageRow = tuple[str, str | None, int | None, int | None, str | None, str | None, str]
"""One lineage entry as plain values: ``(field, file, line, row, column, path, step)`` — a
:class:`FieldSource` with its :class:`SourceLocation` flattened in (``None`` for a part not given)."""


def _optional(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    return core_schema.nullable_schema(schema)


_ROWS: Final = SchemaValidator(
    core_schema.tuple_schema(
        [
            core_schema.tuple_schema(
                [
                    core_schema.str_schema(strict=True),
                    _optional(core_schema.str_schema(strict=True)),
                    _optional(core_schema.int_schema(ge=1, strict=True)),
                    _optional(core_schema.int_schema(ge=1, strict=True)),
                    _optional(core_schema.str_schema(strict=True)),
                    _optional(core_schema.str_schema(strict=True)),
                    core_schema.str_schema(strict=True),
                ],
                strict=True,
            )
        ],
        variadic_item_index=0,
    )
)
"""Validates rows with the same constraints :class:`FieldSource` and :class:`SourceLocation` apply."""


def _row_of(entry: FieldSource) -> LineageRow:
    source = entry.source
    return (entry.field, source.file, source.line, source.row, source.column, source.path, entry.step)


def location_parts(
    file: str | None, line: int | None, row: int | None, column: str | None, path: str | None
) -> dict[str, Any]:
    """The given parts of a source location, as ``SourceLocation`` fields (``None`` left out).

    Unrolled rather than a comprehension: it runs for every lineage entry a record serialises.
    """
    parts: dict[str, Any] = {}
    if file is not None:
        parts["file"] = file
    if line is not None:
        parts["line"] = line
    if row is not None:
        parts["row"] = row
    if column is not None:
        parts["column"] = column
    if path is not None:
        parts["path"] = path
    return parts


def _entry_data(row: LineageRow) -> dict[str, Any]:
    return {"field": row[0], "source": location_parts(*row[1:6]), "step": row[6]}


class Lineage(Sequence[FieldSource]):
    """The lineage of a record: an immutable sequence of :class:`FieldSource`, stored compactly.

    Make one from ``FieldSource`` models (``Lineage(entries)``) or, on a reader's hot path, from rows of
    plain values (:meth:`from_rows`). Every entry is validated against the constraints of ``FieldSource``
    before it can be seen: when the lineage is made, or — for rows a reader builds right by construction
    (``from_rows(rows, check=False)``) — the first time an entry is looked at or the lineage is
    serialised, so an invalid entry never leaves as a model or as JSON. Indexing and iterating give
    ``FieldSource`` models (built on first use, then kept). A pydantic model field of this type also
    accepts a list of ``FieldSource`` models or of their dicts, and serialises to that list, so the JSON
    is the same as a ``tuple[FieldSource, ...]``.
    """

    __slots__ = ("_checked", "_entries", "_rows")

    def __init__(self, entries: Iterable[FieldSource] = ()) -> None:
        models = tuple(entries)
        for entry in models:
            if not isinstance(entry, FieldSource):
                raise TypeError(f"Lineage takes FieldSource entries, not {type(entry).__name__}")
        self._entries: tuple[FieldSource, ...] | None = models
        self._rows: tuple[LineageRow, ...] = tuple(_row_of(entry) for entry in models)
        self._checked = True

    @classmethod
    def from_rows(cls, rows: Iterable[LineageRow], *, check: bool = True) -> Lineage:
        """A lineage from ``(field, file, line, row, column, path, step)`` rows, validated in one call.

        Raises :class:`pydantic.ValidationError` when a row is not of that shape (strings where strings
        are due, lines and rows >= 1). With ``check=False`` the rows are validated later, on first use
        (and the error is raised there): for a reader whose rows are right by construction.
        """
        lineage = cls.__new__(cls)
        lineage._rows = rows if isinstance(rows, tuple) else tuple(rows)
        lineage._entries = None
        lineage._checked = False
        if check:
            lineage._check()
        return lineage

    def _check(self) -> tuple[LineageRow, ...]:
        if not self._checked:
            self._rows = _ROWS.validate_python(self._rows)
            self._checked = True
        return self._rows

    @property
    def rows(self) -> tuple[LineageRow, ...]:
        """The entries as plain ``(field, file, line, row, column, path, step)`` tuples (validated)."""
        return self._check()

    @property
    def unchecked_rows(self) -> tuple[LineageRow, ...]:
        """The rows as given, without validating those a reader left to be validated on first use.

        For finding a field's entry cheaply (a conformance check locating a few issues in a large file);
        whatever is built from such a row must be validated as it is built (a ``SourceLocation`` is).
        """
        return self._rows

    def _models(self) -> tuple[FieldSource, ...]:
        entries = self._entries
        if entries is None:  # one validation call builds every model (faster than model_construct)
            entries = self._entries = _ENTRIES.validate_python([_entry_data(row) for row in self._check()])
        return entries

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> FieldSource: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FieldSource]: ...
    def __getitem__(self, index: int | slice) -> FieldSource | Sequence[FieldSource]:
        return self._models()[index]

    def __iter__(self) -> Iterator[FieldSource]:
        return iter(self._models())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lineage):
            return self._rows == other._rows
        if isinstance(other, tuple | list):
            return len(other) == len(self._rows) and all(
                isinstance(entry, FieldSource) and _row_of(entry) == row
                for entry, row in zip(other, self._rows, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"Lineage({list(self._models())!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Lineage.from_rows, (self._check(),))

    # -- pydantic ---------------------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        from_entries = core_schema.no_info_after_validator_function(
            cls, handler.generate_schema(tuple[FieldSource, ...])
        )
        return core_schema.json_or_python_schema(
            json_schema=from_entries,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_entries]),
            serialization=core_schema.plain_serializer_function_ser_schema(cls._serialise, info_arg=True),
        )

    def _serialise(self, info: core_schema.SerializationInfo) -> list[dict[str, Any]]:
        """The entries as ``FieldSource`` dicts (parts not given are left out when dumping excludes them)."""
        if not isinstance(self, Lineage):  # a tuple put in place with model_copy(update=...)
            options = {"exclude_none": info.exclude_none, "exclude_defaults": info.exclude_defaults}
            return [entry.model_dump(mode=info.mode, exclude_unset=info.exclude_unset, **options) for entry in self]
        drop = info.exclude_none or info.exclude_defaults or info.exclude_unset
        out = []
        for field, file, line, row, column, path, step in self._check():
            if drop:
                source = location_parts(file, line, row, column, path)
            else:
                source = {"file": file, "line": line, "row": row, "column": column, "path": path}
            out.append({"field": field, "source": source, "step": step})
        return out


_ENTRIES: Final = TypeAdapter(tuple[FieldSource, ...])
