"""Where a FHIR resource came from, and the collector that turns mapping results into issues and lineage.

Every canonical field the mapping sets is recorded with :meth:`Collector.source` (a JSON pointer into the
``ChildRecord``, the JSON pointer of the element in the supplier's file, and the step id); every problem
with :meth:`Collector.issue`. Issues get their line number from the file (computed lazily, only for files
that have issues) and the LA child id of the record once it is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from adapters._json import JsonDocument
from gateway import Issue, Lineage, LineageRow, Severity, SourceLocation

__all__ = ["FORMAT_ID", "Collector", "Entry", "LoadedFile", "issue_at"]

FORMAT_ID: Final = "fhir-r4-json"


@dataclass(eq=False)
class LoadedFile:
    """One parsed file of the submission."""

    name: str
    document: JsonDocument

    def location(self, pointer: str, *, with_line: bool) -> SourceLocation:
        line = self.document.line_of(pointer) if with_line else None
        return SourceLocation(file=self.name, line=line, path=pointer or "/")


@dataclass(eq=False)
class Entry:
    """A resource and where it sits: its file, its JSON pointer there, and its Bundle ``fullUrl``."""

    resource: dict[str, Any]
    file: LoadedFile
    pointer: str
    """JSON pointer of the resource in its file: ``/entry/3/resource``, or ``""`` for a lone resource."""
    full_url: str | None = None
    container: Entry | None = None
    """For a contained resource (``#id``), the resource that contains it."""

    @property
    def resource_type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def id(self) -> str | None:
        value = self.resource.get("id")
        return value if isinstance(value, str) else None

    def at(self, path: str = "") -> str:
        """The JSON pointer of ``path`` (relative, starting with ``/``) inside this resource."""
        return f"{self.pointer}{path}"


def issue_at(
    rule: str, severity: Severity, message: str, file: LoadedFile, pointer: str, *, child: str | None = None
) -> Issue:
    """An issue located at ``pointer`` in ``file`` (with its line)."""
    return Issue(
        rule=rule, severity=severity, message=message, location=file.location(pointer, with_line=True), child=child
    )


@dataclass
class _PendingIssue:
    rule: str
    severity: Severity
    message: str
    file: LoadedFile
    pointer: str
    canonical_path: str | None


@dataclass
class Collector:
    """Issues and lineage for one child record while it is being built."""

    issues: list[_PendingIssue] = field(default_factory=list)
    lineage: list[LineageRow] = field(default_factory=list)
    """``(field, file, line, row, column, path, step)`` rows, as :meth:`~gateway.Lineage.from_rows` takes them."""

    def issue(
        self,
        rule: str,
        severity: Severity,
        message: str,
        entry: Entry,
        path: str = "",
        *,
        canonical_path: str | None = None,
    ) -> None:
        """Record a problem at ``path`` (relative to the resource) in ``entry``."""
        self.issues.append(_PendingIssue(rule, severity, message, entry.file, entry.at(path), canonical_path))

    def source(self, canonical: str, entry: Entry, path: str, element: str) -> None:
        """Record that canonical field ``canonical`` was set from ``path`` in ``entry`` by step ``element``."""
        self.lineage.append(
            (canonical, entry.file.name, None, None, None, entry.at(path) or "/", f"{FORMAT_ID}:{element}")
        )

    def built_lineage(self) -> Lineage:
        """The lineage recorded so far, validated (one call for every entry)."""
        return Lineage.from_rows(self.lineage)

    def finish(self, child: str | None, record_index: int | None = None) -> list[Issue]:
        """The issues, located (with lines) and labelled with the record's LA child id; canonical paths
        (relative to the record) become pointers into the message (``/records/<index>/...``).

        The same problem reached twice (a RelatedPerson read as a carer and as a consent giver) is
        reported once.
        """
        issues: list[Issue] = []
        seen: set[tuple[str, str, int, str]] = set()
        for pending in self.issues:
            key = (pending.rule, pending.message, id(pending.file), pending.pointer)
            if key in seen:
                continue
            seen.add(key)
            issues.append(
                Issue(
                    rule=pending.rule,
                    severity=pending.severity,
                    message=pending.message,
                    location=pending.file.location(pending.pointer, with_line=True),
                    canonical_path=(
                        f"/records/{record_index}{pending.canonical_path}"
                        if record_index is not None and pending.canonical_path is not None
                        else pending.canonical_path
                    ),
                    child=child,
                )
            )
        return issues
