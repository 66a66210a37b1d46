"""Applying a compiled mapping to one source row: canonical values, lineage and issues.

The hot path of every mapped reader, so it works on plain data: values and lineage are dicts and lists
that the :class:`~gateway.mapping.RecordBuilder` validates once per child record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from gateway.mapping.rows import MappedRow, SourceRow, set_path
from gateway.mapping.transforms import Note, Transform, ValueProblem
from gateway.model import Severity

__all__ = ["FieldRule", "MappingSpec", "MappingStep", "columns_of"]


class MappingStep(Protocol):
    """A Python mapping step, for what a mapping file cannot express.

    Called after the field rules with the row and what was mapped so far; it may set more fields with
    :meth:`MappedRow.set` (which records lineage) and report problems with :meth:`MappedRow.add_issue`.
    It must not raise on bad data. A mapping file names it under ``steps: [{plugin: <name>}]`` and the
    reader passes ``steps={name: step}`` to :func:`~gateway.mapping.load_mapping`.
    """

    def __call__(self, row: SourceRow, mapped: MappedRow) -> None: ...


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One compiled field rule of a mapping."""

    target: tuple[str | int, ...]
    pointer: str
    """``/`` + the target path (relative to the mapping's target)."""
    step: str
    source: str | None = None
    sources: tuple[str, ...] = ()
    value: Any = None
    when: str | None = None
    transforms: tuple[Transform, ...] = ()
    required: bool = False
    severity: Severity = "error"
    name: str | None = None
    """The target when it is one top-level field (the fast path), else ``None``."""
    simple: bool = False
    """One source column and no ``when`` guard (the fast path)."""
    unique: bool = False
    """No other rule of the mapping sets this top-level field (so no conflict check is needed)."""

    def __post_init__(self) -> None:
        if len(self.target) == 1 and isinstance(self.target[0], str):
            object.__setattr__(self, "name", self.target[0])
        object.__setattr__(self, "simple", self.source is not None and self.when is None)

    @property
    def label(self) -> str:
        """How the field is named in messages: its source column(s), else its target."""
        if self.source is not None:
            return self.source
        if self.sources:
            return "+".join(self.sources)
        return self.pointer.lstrip("/")


@dataclass(frozen=True)
class MappingSpec:
    """A loaded, validated and compiled mapping file. Apply it with :meth:`apply`."""

    id: str
    format: str
    target: str
    fields: tuple[FieldRule, ...]
    file: str
    table: str | None = None
    description: str = ""
    version: int = 1
    steps: tuple[MappingStep, ...] = ()
    _columns: frozenset[str] = field(default=frozenset(), repr=False)

    @cached_property
    def sparse(self) -> bool:
        """True when a field rule may leave gaps in lists (a target like ``names/1/use``)."""
        return any(isinstance(part, int) and part > 0 for rule in self.fields for part in rule.target)

    @property
    def is_collection(self) -> bool:
        """True when every row becomes a new element of a collection (target ``/<name>/-``)."""
        return self.target.endswith("/-")

    def source_columns(self) -> frozenset[str]:
        """Every row key the mapping reads (not the ``$`` context keys)."""
        return self._columns

    def missing_columns(self, header: Iterable[str]) -> list[tuple[str, bool]]:
        """``(column, required)`` for each column the mapping reads that ``header`` lacks, in rule order."""
        present = set(header)
        missing: dict[str, bool] = {}
        for rule in self.fields:
            for column in (rule.source, *rule.sources, rule.when):
                if column is not None and not column.startswith("$") and column not in present:
                    missing[column] = missing.get(column, False) or rule.required
        return list(missing.items())

    def apply(self, row: SourceRow, *, child: str | None = None, prefix: str = "") -> MappedRow:
        """Map one row. Never raises on bad data: problems become issues on the returned row.

        ``prefix`` is where the row will go in the record (``/reviews/3``), when the caller knows it
        (:meth:`RecordBuilder.next_prefix`): lineage pointers are then final and need no rewriting.
        """
        mapped = MappedRow(child=child, sparse=self.sparse, prefix=prefix)
        out = mapped.values
        lineage = mapped.lineage
        notes: list[Note] = []
        values = row.values
        # Locations of plain columns are built inline (this loop is every mapped reader's hot path).
        plain = row.locations is None
        file, row_number, line = row.file, row.row, row.line
        for rule in self.fields:
            if rule.simple:
                key = rule.source
                value = values.get(key)  # type: ignore[arg-type]
                if value is None or not value.strip():
                    if rule.required:
                        _required(mapped, row, rule, key)  # type: ignore[arg-type]
                    continue
            else:
                found = _raw_value(rule, row, mapped)
                if found is None:
                    continue
                key, value = found
            try:
                for transform in rule.transforms:
                    value = transform(value, notes)
            except ValueProblem as problem:
                notes.clear()
                _report(mapped, row, rule, key, code=problem.rule, severity=problem.severity, message=problem.message)
                continue
            if notes:
                for note in notes:
                    _report(mapped, row, rule, key, code=note.rule, severity=note.severity, message=note.message)
                notes.clear()
            if value is None or value in ("", []):
                continue
            name = rule.name
            if name is not None:
                if not rule.unique:
                    existing = out.get(name)
                    if existing is not None and existing != value:
                        _conflict(mapped, row, rule, key)
                        continue
                out[name] = value
            elif not set_path(out, rule.target, value):
                _conflict(mapped, row, rule, key)
                continue
            where = (
                {"file": file, "row": row_number, "line": line, "column": key}
                if plain or key is None or key not in row.locations  # type: ignore[operator]
                else row.location(key)
            )
            lineage.append(
                {"field": prefix + rule.pointer if prefix else rule.pointer, "source": where, "step": rule.step}
            )
        for step in self.steps:
            step(row, mapped)
        return mapped


def _raw_value(rule: FieldRule, row: SourceRow, mapped: MappedRow) -> tuple[str | None, Any] | None:
    """(key to locate the value by, raw value) for a rule, or ``None`` when the rule does not apply."""
    values = row.values
    if rule.when is not None:
        guard = values.get(rule.when)
        if guard is None or not guard.strip():
            return None
    if rule.source is not None:
        raw = values.get(rule.source)
        if raw is None or not raw.strip():
            if rule.required:
                _required(mapped, row, rule, rule.source)
            return None
        return rule.source, raw
    if rule.sources:
        parts = [values.get(name) or "" for name in rule.sources]
        key = next((name for name, part in zip(rule.sources, parts, strict=True) if part.strip()), None)
        if key is None:
            if rule.required:
                _required(mapped, row, rule, rule.sources[0])
            return None
        return key, parts
    return rule.when, rule.value


def _report(
    mapped: MappedRow, row: SourceRow, rule: FieldRule, key: str | None, *, code: str, severity: Severity, message: str
) -> None:
    mapped.add_issue(code, severity, f"{rule.label}: {message}", row.location(key), rule.pointer)


def _required(mapped: MappedRow, row: SourceRow, rule: FieldRule, key: str) -> None:
    mapped.add_issue(
        "map/required",
        rule.severity,
        f"{rule.label}: a value is required and the field is blank",
        row.location(key),
        rule.pointer,
    )


def _conflict(mapped: MappedRow, row: SourceRow, rule: FieldRule, key: str | None) -> None:
    mapped.add_issue(
        "map/conflict",
        "warning",
        f"{rule.label}: the field was already set by an earlier rule; the first value is kept",
        row.location(key),
        rule.pointer,
    )


def columns_of(rules: Sequence[FieldRule]) -> frozenset[str]:
    """Every non-context row key a list of rules reads."""
    names = {name for rule in rules for name in (rule.source, *rule.sources, rule.when) if name is not None}
    return frozenset(name for name in names if not name.startswith("$"))
