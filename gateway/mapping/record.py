"""Assembling mapped rows into one canonical :class:`~gateway.ChildRecord`, validated once.

A reader feeds the builder every mapped row that belongs to one child (the header row into ``/child``,
each episode row as a new ``/looked_after_episodes`` element ...). :meth:`RecordBuilder.build` validates
the whole record with pydantic in one call; a value the canonical model refuses is removed, reported as
a ``map/invalid`` issue located at its source (found through the lineage), and the rest is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import ValidationError

from gateway.mapping.engine import MappingSpec
from gateway.mapping.rows import MappedRow, set_path, split_target
from gateway.model import ChildRecord, Issue, Lineage, LineageRow, SourceLocation

__all__ = ["RecordBuilder"]

_MAX_REPAIRS = 5
_SOURCE_KEYS: Final = frozenset({"file", "line", "row", "column", "path"})


def _pointer(parts: tuple[Any, ...]) -> str:
    return "".join(f"/{part}" for part in parts)


class RecordBuilder:
    """Collects the mapped rows of one child and builds its :class:`~gateway.ChildRecord`."""

    def __init__(self, *, child: str | None = None, record_index: int | None = None) -> None:
        self.child = child
        self.record_index = record_index
        self.data: dict[str, Any] = {"child": {}}
        self.lineage: list[dict[str, Any]] = []
        self.issues: list[Issue] = []
        self._sparse = False

    def _canonical(self, pointer: str) -> str:
        return pointer if self.record_index is None else f"/records/{self.record_index}{pointer}"

    def next_prefix(self, spec: MappingSpec | str) -> str:
        """Where the next row for ``spec`` will go (pass it to ``MappingSpec.apply`` as ``prefix``)."""
        target = spec if isinstance(spec, str) else spec.target
        if target.endswith("/-"):
            name = target[1:-2]
            return f"/{name}/{len(self.data.get(name, ()))}"
        return target.rstrip("/")

    def add(self, spec: MappingSpec | str, mapped: MappedRow) -> str:
        """Place a mapped row at its mapping's target; returns the JSON pointer of where it went."""
        target = spec if isinstance(spec, str) else spec.target
        if mapped.sparse or not mapped.values:
            self._sparse = True
        if target.endswith("/-"):
            name = target[1:-2]
            items = self.data.setdefault(name, [])
            prefix = f"/{name}/{len(items)}"
            items.append(mapped.values)
        else:
            prefix = target.rstrip("/")
            parts = split_target(target)
            node = self.data
            for part in parts:
                node = node.setdefault(str(part), {})
            self._merge(node, mapped.values, prefix, mapped, prefix)
        if mapped.prefix != prefix:
            cut = len(mapped.prefix)
            for entry in mapped.lineage:
                entry["field"] = prefix + entry["field"][cut:]
            mapped.prefix = prefix
        self.lineage.extend(mapped.lineage)
        for issue in mapped.issues:
            relative = issue.canonical_path or ""
            self.issues.append(issue.model_copy(update={"canonical_path": self._canonical(prefix + relative)}))
        return prefix

    def _merge(
        self, into: dict[str, Any], values: Mapping[str, Any], prefix: str, mapped: MappedRow, root: str
    ) -> None:
        for key, value in values.items():
            existing = into.get(key)
            if existing is None:
                into[key] = value
            elif isinstance(existing, dict) and isinstance(value, dict):
                self._merge(existing, value, f"{prefix}/{key}", mapped, root)
            elif isinstance(existing, list) and isinstance(value, list) and all(isinstance(v, dict) for v in value):
                for index, item in enumerate(value):
                    if index < len(existing) and isinstance(existing[index], dict):
                        self._merge(existing[index], item, f"{prefix}/{key}/{index}", mapped, root)
                    else:
                        existing.append(item)
            elif existing != value:
                pointer = f"{prefix}/{key}"
                self.issues.append(
                    Issue(
                        rule="map/conflict",
                        severity="warning",
                        message="two source rows give this field different values; the first is kept",
                        location=self._source_of(pointer),
                        canonical_path=self._canonical(pointer),
                        child=self.child,
                    )
                )
                cut = len(mapped.prefix)
                mapped.lineage[:] = [
                    entry for entry in mapped.lineage if not _under(root + entry["field"][cut:], pointer)
                ]

    def set(self, pointer: str, value: Any, *, location: Mapping[str, Any], step: str) -> None:
        """Set one field by absolute pointer (e.g. a reader-generated id) and record its lineage."""
        set_path(self.data, split_target(pointer), value)
        self.lineage.append({"field": pointer, "source": dict(location), "step": step})

    def _source_of(self, pointer: str) -> SourceLocation | None:
        best: dict[str, Any] | None = None
        best_len = -1
        for entry in self.lineage:
            field = entry["field"]
            if (field == pointer or field.startswith(pointer + "/") or pointer.startswith(field + "/")) and len(
                field
            ) > best_len:
                best, best_len = entry["source"], len(field)
        if best is None:
            return None
        return SourceLocation.model_validate({k: v for k, v in best.items() if v is not None})

    def build(self) -> ChildRecord | None:
        """The validated record, or ``None`` when it cannot be repaired (issues say why)."""
        if self._sparse:
            self._compact(self.data, "")
        reported: set[str] = set()
        for _ in range(_MAX_REPAIRS):
            try:
                return ChildRecord.model_validate({**self.data, "lineage": _lineage(self.lineage)})
            except ValidationError as exc:
                errors = exc.errors(include_input=False, include_url=False)
            drops: set[tuple[Any, ...]] = set()
            for error in errors:
                loc = tuple(error["loc"])
                if not loc or loc[0] == "lineage":
                    continue
                pointer = _pointer(loc)
                drops.add(loc[:-1] if error["type"] == "missing" and len(loc) > 1 else loc)
                if pointer in reported:
                    continue  # the same field, refused again after an earlier repair
                reported.add(pointer)
                self.issues.append(
                    Issue(
                        rule="map/invalid",
                        severity="error",
                        message=f"{pointer.lstrip('/')}: {error['msg']}",
                        location=self._source_of(pointer),
                        canonical_path=self._canonical(pointer),
                        child=self.child,
                    )
                )
            # Deepest and last first, so removing one never shifts another; a drop inside another is skipped.
            removed = False
            for drop in sorted(drops, key=lambda loc: [str(part).zfill(8) for part in loc], reverse=True):
                if not any(other != drop and drop[: len(other)] == other for other in drops):
                    removed = self._remove(drop) or removed
            if not removed:
                break
        return None

    def _compact(self, node: Any, pointer: str) -> None:
        """Drop empty objects from lists (e.g. ``contacts/0`` when only ``contacts/1`` had a value)."""
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict | list):
                    self._compact(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                item = node[index]
                if isinstance(item, dict) and not item:
                    del node[index]
                    self._renumber(pointer, index)
                elif isinstance(item, dict | list):
                    self._compact(item, f"{pointer}/{index}")

    def _remove(self, loc: tuple[Any, ...]) -> bool:
        node: Any = self.data
        for part in loc[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return False
        last = loc[-1]
        pointer = _pointer(loc)
        if isinstance(node, list) and isinstance(last, int) and last < len(node):
            del node[last]
            self.lineage = [e for e in self.lineage if not _under(e["field"], pointer)]
            self._renumber(_pointer(loc[:-1]), last)
            return True
        if isinstance(node, dict) and last in node:
            del node[last]
            self.lineage = [e for e in self.lineage if not _under(e["field"], pointer)]
            return True
        return False

    def _renumber(self, list_pointer: str, removed: int) -> None:
        head = list_pointer + "/"
        for entry in self.lineage:
            field: str = entry["field"]
            if field.startswith(head):
                rest = field[len(head) :]
                index, _, tail = rest.partition("/")
                if index.isdigit() and int(index) > removed:
                    entry["field"] = f"{head}{int(index) - 1}" + (f"/{tail}" if tail else "")


def _lineage(entries: list[dict[str, Any]]) -> Lineage | list[dict[str, Any]]:
    """The entries as a :class:`~gateway.Lineage` (one validation call for all of them), or as they are
    (validated entry by entry as ``FieldSource`` data, as before) when one is not of that shape."""
    rows: list[LineageRow] = []
    append = rows.append
    keys = _SOURCE_KEYS
    for entry in entries:
        source = entry.get("source")
        if len(entry) != 3 or type(source) is not dict or not keys.issuperset(source):
            return entries
        get = source.get
        row = (entry.get("field"), get("file"), get("line"), get("row"), get("column"), get("path"), entry.get("step"))
        append(row)  # type: ignore[arg-type]  # checked below, all rows in one call
    try:
        return Lineage.from_rows(rows)
    except ValidationError:
        return entries


def _under(field: str, pointer: str) -> bool:
    return field == pointer or field.startswith(pointer + "/")
