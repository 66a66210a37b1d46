"""Who is asking: the caller of a store, and the roles that let it read or write.

The HTTP layer authenticates a practitioner (issue #8) and hands the stores a :class:`Caller`; the stores
decide what the caller may see from its roles and its relationship to the record (lead professional,
assessor's organisation, an agency inside an active consent's scope). A caller's identity is never
taken from an unauthenticated source.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from gateway.errors import GatewayError
from gateway.model._base import CanonicalModel

__all__ = [
    "AUDIT_VERIFY",
    "CAF_CONSENT",
    "CAF_READ",
    "DIRECTORY_BREAK_GLASS",
    "DIRECTORY_INVOLVEMENT",
    "DIRECTORY_READ",
    "DUPLICATES_REVIEW",
    "SYSTEM_CALLER",
    "AccessDenied",
    "Caller",
    "Purpose",
]

DIRECTORY_READ: Final = "directory.read"
"""Search the directory, view a child's entry and who is working with the child."""
DIRECTORY_BREAK_GLASS: Final = "directory.break-glass"
"""Lift a shielded child's shield (with a stated reason; audited and alerted)."""
DIRECTORY_INVOLVEMENT: Final = "directory.involvement"
"""Record the start or end of one's own organisation's involvement with a child."""
CAF_READ: Final = "caf.read"
"""Read CAF forms (still only as lead professional, assessor's organisation or inside a consent's scope)."""
CAF_CONSENT: Final = "caf.consent"
"""Record the withdrawal of a consent to share a CAF (for the lead professional or assessor's organisation)."""
AUDIT_VERIFY: Final = "audit.verify"
"""Verify the audit log's hash chain."""
DUPLICATES_REVIEW: Final = "duplicates.review"
"""Open and decide reviews of possible duplicate children of one's own councils (decisions: a named person)."""

Purpose = Literal["safeguarding", "service-provision", "contact-practitioner", "duplicate-check", "audit"]
"""Why a practitioner reads a store; recorded in the audit log with every read."""


class Caller(CanonicalModel):
    """An authenticated caller: a practitioner (or a system) acting for an organisation."""

    user_id: str = Field(min_length=1, max_length=128)
    """The practitioner's id, in the same namespace as ``Practitioner.practitioner_id`` in the records."""
    organisation_code: str = Field(min_length=1, max_length=32)
    """The organisation the caller acts for (the codes consents name in their scope)."""
    roles: frozenset[str] = frozenset()

    def has(self, role: str) -> bool:
        """True when the caller holds ``role``."""
        return role in self.roles


SYSTEM_CALLER: Final = Caller(user_id="system:gateway", organisation_code="gateway")
"""The gateway itself, for audit entries written by event consumers (upserts, purges, archiving)."""


class AccessDenied(GatewayError):
    """The caller may not do this (a missing role or relationship). The message names the rule, never data."""
