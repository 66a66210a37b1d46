"""The envelope: everything known about a message apart from its content."""

from __future__ import annotations

from datetime import UTC

from pydantic import AwareDatetime, Field

from gateway.model._base import CanonicalModel

__all__ = ["Envelope"]


class Envelope(CanonicalModel):
    """Identity and provenance of one received message; the raw payload is kept beside it, by hash."""

    message_id: str = Field(min_length=1, max_length=128)
    """Unique id of this message (the supplier's, or one the gateway assigned on receipt)."""
    correlation_id: str | None = Field(default=None, max_length=128)
    """Groups messages that belong together (e.g. the files of one SSDA903 submission)."""
    supplier_id: str = Field(min_length=1, max_length=128)
    """The supplier system (authenticated client) that sent the message."""
    la_code: str = Field(pattern=r"^[0-9]{3}$")
    """DfE three-digit LA number the message is submitted for."""
    format_id: str = Field(min_length=1, max_length=64)
    """Format of the payload, e.g. ``cin-census-xml``, ``ssda903-csv``, ``fhir-r4-json``."""
    format_version: str | None = None
    """Schema or census version of the payload, e.g. ``2024-25``."""
    received_at: AwareDatetime
    payload_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the raw payload bytes as received."""

    def received_day(self) -> str:
        """The UTC day of receipt (``YYYY-MM-DD``), the ledger's unit."""
        return self.received_at.astimezone(UTC).date().isoformat()
