"""The events the gateway routes to the stores and receiving suppliers (the contract between them).

Every event is delivered *at least once*: consumers keep an inbox of processed ``event_id`` values (so a
redelivery is harmless) and, per ``subject``, the highest ``version`` applied (so a stale redelivery
never overwrites a newer record).

Kinds:

``directory.child.upsert``
    ``payload`` is a :class:`gateway.views.DirectoryUpdate`: the directory view of one child (the
    ContactPoint data set only, shielding applied) in ``entry``; for a shielded child, the withheld address
    and contacts in ``withheld`` (kept apart by the directory, shown only after an audited break glass);
    the archive date in ``retain_until``.
``directory.child.purge``
    the supplier asked for the child's record to be purged; ``payload`` is empty.
``directory.child.move``
    a person unmerged (or re-linked) a supplier record: ``payload`` is a :class:`gateway.views.DirectoryMove`
    naming the record's view, which leaves the subject child for another (or for none while it awaits review).
``caf.assessment.upsert``
    ``payload`` is a :class:`gateway.consent.CafUpdate`: one CAF assessment with its consents and the child
    id; sent for every CAF (the CAF store decides who may read it: lead professional, assessor's organisation,
    agencies inside an active consent's scope). Subject: :func:`gateway.consent.caf_subject`.
``caf.child.purge``
    the supplier asked for the child's record to be purged (sent with ``directory.child.purge``, subject the
    gateway child id, versioned with the child's other events); ``payload`` is empty. The CAF store deletes
    every CAF version the purging council (``la_code``) sent about the child whose ``child_version`` is below
    the purge's ``version``, with those CAFs' consents, and keeps a tombstone so an older upsert stays stale.
``caf.consent.withdrawn``
    ``payload`` is a :class:`gateway.consent.ConsentWithdrawal` naming the CAF and consent; recipients must
    stop processing the CAF at once. Applied whatever its version (a withdrawal is never stale).
``directory.shield.lifted``
    an alert raised by the directory: a practitioner lifted a shielded child's shield ("break glass");
    ``payload`` names the child, the practitioner, the organisation and the audit entry (never the reason
    text or any content). Subject: the child id.
``message.rejected``
    ``payload`` holds the message id and its issues (never content), for the rejected queue.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import AwareDatetime, Field

from gateway.model._base import CanonicalModel

__all__ = ["EVENT_KINDS", "Event", "EventKind"]

EventKind = Literal[
    "directory.child.upsert",
    "directory.child.purge",
    "directory.child.move",
    "caf.assessment.upsert",
    "caf.child.purge",
    "caf.consent.withdrawn",
    "directory.shield.lifted",
    "message.rejected",
]
EVENT_KINDS: Final[tuple[EventKind, ...]] = (
    "directory.child.upsert",
    "directory.child.purge",
    "directory.child.move",
    "caf.assessment.upsert",
    "caf.child.purge",
    "caf.consent.withdrawn",
    "directory.shield.lifted",
    "message.rejected",
)


class Event(CanonicalModel):
    """One routed event. ``routing_key`` is ``<kind>.<la_code>`` on the canonical-events topic exchange."""

    event_id: str = Field(min_length=1, max_length=128)
    """Unique per event; consumers deduplicate on it."""
    kind: EventKind
    subject: str = Field(min_length=1, max_length=128)
    """What the event is about: the gateway child id, or ``caf:<caf_id>``, or the message id (rejections)."""
    version: int = Field(ge=0)
    """Monotonic per subject: a consumer ignores an event whose version is not newer than what it holds."""
    la_code: str = Field(pattern=r"^[0-9]{3}$")
    message_id: str
    """The received message this event came from (for the ledger and replay)."""
    occurred_at: AwareDatetime
    payload: dict[str, Any] = Field(default_factory=dict)
    child_version: int | None = Field(default=None, ge=0)
    """For ``caf.assessment.upsert``: the child's (``payload.child_id``) newest version when the event was
    written, in the same per-subject sequence as ``caf.child.purge`` — so the CAF store can tell an upsert
    written before a purge (stale) from one written after it. ``None`` elsewhere."""

    @property
    def routing_key(self) -> str:
        return f"{self.kind}.{self.la_code}"
