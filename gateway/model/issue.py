"""Issues: bad data as values. Readers, mappings and rules yield these; they never raise on bad data."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.model._base import CanonicalModel
from gateway.model.lineage import SourceLocation

__all__ = ["Issue", "Severity"]

Severity = Literal["error", "warning", "information"]
"""``error`` = a MUST rule failed (the message is rejected); ``warning`` = SHOULD; ``information`` = INFO."""


class Issue(CanonicalModel):
    """One problem found in a message, located in the supplier's terms and in canonical terms.

    Messages name the rule and the field, never the value: issues are returned to suppliers and
    written to logs, and must not carry personal data.
    """

    rule: str = Field(min_length=1)
    """Stable rule id, e.g. ``ics-1b/assessment-child-seen``, ``cin/1510``, ``xsd``, ``read/encoding``."""
    severity: Severity
    message: str
    location: SourceLocation | None = None
    """Where in the supplier's file (file, line or row and column, XPath / JSON pointer / CSV column)."""
    canonical_path: str | None = None
    """JSON pointer into the canonical message, e.g. ``/records/3/child/nhs_number``."""
    child: str | None = None
    """The LA child id of the record concerned, when known (a council's own reference, not personal data)."""
