"""Where a value came from: locations in the supplier's own file, and per-field lineage."""

from __future__ import annotations

from pydantic import Field

from gateway.model._base import CanonicalModel

__all__ = ["FieldSource", "SourceLocation"]


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
