"""The consumer side of at-least-once delivery, shared by the directory and CAF stores.

Each store keeps an *inbox* (every ``event_id`` it has processed, so a redelivery is harmless) and, per
``subject``, the highest ``version`` applied (so a stale redelivery never overwrites newer data). Both
are written in the same transaction as the change itself; the consumer acknowledges the broker's
delivery only after that transaction commits.

``apply`` results:

==============  ==========================================================  =======================
outcome         meaning                                                     consumer
==============  ==========================================================  =======================
``applied``     the change was made                                         ack
``duplicate``   this event id was processed before; nothing was done        ack
``stale``       a newer version of the subject is held; nothing was done    ack
``rejected``    the event is not for this store or its payload is invalid   dead-letter with reason
==============  ==========================================================  =======================

A database failure raises :class:`~gateway.StorageError` and nothing of the batch is kept: do not
acknowledge; the broker redelivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Connection, Table, insert, select, update

from gateway.events import Event

__all__ = ["ApplyOutcome", "ApplyResult", "Inbox", "contains_nul", "invalid_payload_reason"]

ApplyOutcome = Literal["applied", "duplicate", "stale", "rejected"]


@dataclass(frozen=True)
class ApplyResult:
    """What applying one event did. ``reason`` (for ``rejected``) names the problem, never a value."""

    event_id: str
    outcome: ApplyOutcome
    reason: str | None = None

    @property
    def acknowledge(self) -> bool:
        """True when the delivery may be acknowledged (everything but a rejection)."""
        return self.outcome != "rejected"


class Inbox:
    """Inbox and per-subject versions over two tables with the shapes of ``directory_inbox``/``_versions``."""

    def __init__(self, inbox: Table, versions: Table) -> None:
        self._inbox = inbox
        self._versions = versions

    def seen(self, connection: Connection, event_id: str) -> bool:
        """True when ``event_id`` was processed before (in this or an earlier transaction)."""
        found = connection.execute(select(self._inbox.c.event_id).where(self._inbox.c.event_id == event_id)).first()
        return found is not None

    def version(self, connection: Connection, subject: str) -> int | None:
        """The highest version applied for ``subject`` (row-locked on PostgreSQL until commit), or ``None``."""
        found = connection.execute(
            select(self._versions.c.version).where(self._versions.c.subject == subject).with_for_update()
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def is_stale(self, connection: Connection, event: Event) -> bool:
        """True when a version at least as new as ``event.version`` was already applied for its subject."""
        held = self.version(connection, event.subject)
        return held is not None and event.version <= held

    def advance(self, connection: Connection, subject: str, version: int, **extra: object) -> None:
        """Record ``version`` (and any extra columns) as the newest applied for ``subject``."""
        values = {"version": version, **extra}
        result = connection.execute(update(self._versions).where(self._versions.c.subject == subject).values(**values))
        if result.rowcount == 0:
            connection.execute(insert(self._versions).values(subject=subject, **values))

    def record(self, connection: Connection, event: Event, outcome: ApplyOutcome) -> ApplyResult:
        """Add ``event`` to the inbox with its outcome (never for a rejection, so a fixed replay can apply)."""
        if outcome != "rejected":
            connection.execute(
                insert(self._inbox).values(
                    event_id=event.event_id,
                    kind=event.kind,
                    subject=event.subject,
                    version=event.version,
                    outcome=outcome,
                    applied_at=datetime.now(UTC),
                )
            )
        return ApplyResult(event.event_id, outcome)


def contains_nul(value: Any) -> bool:
    """True when a NUL character hides anywhere in ``value`` (PostgreSQL text cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def _place(error: Any) -> str:
    parts = [str(part) for part in error["loc"]]
    if error["type"] == "extra_forbidden" and parts:
        parts[-1] = "*"  # an unknown key is the sender's text: it is not repeated
    return ".".join(parts) + f" ({error['type']})"


def invalid_payload_reason(exc: ValidationError) -> str:
    """Where a payload failed validation (field paths and error types only, never the values)."""
    places = sorted({_place(error) for error in exc.errors()})
    return "invalid payload at " + ", ".join(places[:5]) + (" ..." if len(places) > 5 else "")
