"""The engine's input and output: a flat source row with its location, and the mapped canonical values.

A :class:`SourceRow` is what any reader hands the engine: a CSV row, the leaf elements of an XML element,
the members of a JSON object. A :class:`MappedRow` is what comes back: canonical values (nested plain
data, relative to the mapping's target), their lineage and the issues found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.model import FieldSource, Issue, Severity, SourceLocation

__all__ = ["MappedRow", "SourceRow", "set_path", "split_target"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One flat row of source values, located in the supplier's file.

    ``values`` maps a column (or element, or member) name to its raw text. Keys starting with ``$`` are
    values the reader supplies from the submission (``$la_code``); give their location in ``locations``.
    ``locations`` may also override the location of any key (an XML reader gives each key its own line
    and XPath); every other key is located as ``file`` + ``row`` + ``line`` + column = the key.
    """

    values: Mapping[str, str]
    file: str | None = None
    row: int | None = None
    """1-based data row (CSV); the header is row 0."""
    line: int | None = None
    """1-based physical line where the row starts."""
    locations: Mapping[str, Mapping[str, Any]] | None = None

    def location(self, key: str | None) -> dict[str, Any]:
        """The location of ``key`` as plain data (the shape of :class:`~gateway.SourceLocation`)."""
        if self.locations is not None and key is not None:
            found = self.locations.get(key)
            if found is not None:
                return dict(found)
        return {"file": self.file, "row": self.row, "line": self.line, "column": key}

    def source_location(self, key: str | None) -> SourceLocation:
        """The location of ``key`` as a :class:`~gateway.SourceLocation`."""
        return SourceLocation.model_validate(self.location(key))


def split_target(target: str) -> tuple[str | int, ...]:
    """``names/0/given`` -> ``('names', 0, 'given')`` (a leading ``/`` is ignored)."""
    return tuple(int(part) if part.isdigit() else part for part in target.strip("/").split("/") if part)


def set_path(container: dict[str, Any], path: tuple[str | int, ...], value: Any) -> bool:
    """Set ``value`` at ``path``, creating dicts and lists on the way.

    Returns ``False`` (and changes nothing) when a different value is already there: the first value wins.
    """
    node: Any = container
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            if last:
                if node[part] not in ({}, value):
                    return False
                node[part] = value
                return True
            nxt = node[part]
        else:
            if last:
                existing = node.get(part)
                if existing is not None and existing != value:
                    return False
                node[part] = value
                return True
            nxt = node.get(part)
            if nxt is None:
                nxt = [] if isinstance(path[index + 1], int) else {}
                node[part] = nxt
        node = nxt
    return True


@dataclass(slots=True)
class MappedRow:
    """Canonical values mapped from one row (relative to the mapping's target), their lineage and issues.

    ``lineage`` holds plain dicts of the shape of :class:`~gateway.FieldSource` (fast to build; the record
    builder validates them with the record). ``issues`` carry ``canonical_path`` relative to the target
    until a :class:`~gateway.mapping.RecordBuilder` places the row.
    """

    values: dict[str, Any] = field(default_factory=dict)
    lineage: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    child: str | None = None
    """The LA child id the row belongs to (for issues), when known."""
    sparse: bool = False
    """True when a list may have a gap (an empty element) that the record builder must drop."""
    prefix: str = ""
    """The pointer the lineage fields are already prefixed with (see ``MappingSpec.apply``)."""

    def set(self, target: str, value: Any, *, location: Mapping[str, Any] | SourceLocation, step: str) -> bool:
        """Set a canonical field (relative path like ``names/0/given``) and record its lineage.

        This is what a Python mapping step calls. Returns ``False`` when the field already held another
        value (the first value is kept and a ``map/conflict`` warning is raised).
        """
        where = location.model_dump(exclude_none=True) if isinstance(location, SourceLocation) else dict(location)
        pointer = "/" + target.strip("/")
        path = split_target(target)
        if any(isinstance(part, int) and part > 0 for part in path):
            self.sparse = True
        if not set_path(self.values, path, value):
            self.add_issue(
                "map/conflict",
                "warning",
                "a second source gave this field another value; the first is kept",
                where,
                pointer,
            )
            return False
        self.lineage.append({"field": self.prefix + pointer, "source": where, "step": step})
        return True

    def add_issue(
        self, rule: str, severity: Severity, message: str, location: Mapping[str, Any], pointer: str | None
    ) -> None:
        """Record an issue located at ``location`` (plain data) and ``pointer`` (relative canonical path)."""
        self.issues.append(
            Issue(
                rule=rule,
                severity=severity,
                message=message,
                location=SourceLocation.model_validate({k: v for k, v in location.items() if v is not None}),
                canonical_path=pointer,
                child=self.child,
            )
        )

    def field_sources(self, prefix: str = "") -> tuple[FieldSource, ...]:
        """The lineage as :class:`~gateway.FieldSource` values, pointers prefixed with ``prefix``."""
        return tuple(FieldSource.model_validate({**entry, "field": prefix + entry["field"]}) for entry in self.lineage)
