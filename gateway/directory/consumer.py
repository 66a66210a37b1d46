"""Applying routed events to the directory: ``directory.child.upsert`` and ``directory.child.purge``.

A batch of events is applied inside the caller's transaction, set-based: the inbox and the subjects'
versions are read in one go (:class:`~gateway.inbox.InboxBatch`), every event's outcome is decided in
memory in batch order — exactly as if the events were applied one at a time — and only the newest
applied event of each child is written, with a constant number of statements per batch (bulk deletes,
multi-row inserts). Every processed event id still goes into the inbox with its own outcome.

A purge deletes every row about the child — nothing is kept but the child id's version (so a stale upsert
cannot bring it back) and the audit entry that records the purge.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Connection, select, text

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.directory.records import EntryRows, TooLong, delete_children, entry_rows, write_entries
from gateway.events import Event
from gateway.inbox import ApplyResult, Inbox, InboxBatch, contains_nul, in_lists, invalid_payload_reason
from gateway.storage.tables import directory_children, directory_inbox, directory_versions
from gateway.views import DirectoryUpdate

__all__ = ["DIRECTORY_INBOX", "apply_directory_events", "secure_delete"]

logger = logging.getLogger(__name__)

DIRECTORY_INBOX = Inbox(directory_inbox, directory_versions)

_KINDS = frozenset({"directory.child.upsert", "directory.child.purge"})


def secure_delete(connection: Connection) -> None:
    """On SQLite, overwrite deleted content with zeros (PostgreSQL's VACUUM reclaims dead rows)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))


@dataclass
class _Changes:
    """What a batch does: each child's newest applied upsert (when that is the last word), and the purges
    applied, in batch order."""

    upserts: dict[str, EntryRows] = field(default_factory=dict)
    purged: set[str] = field(default_factory=set)
    purges: list[Event] = field(default_factory=list)


def _screen(event: Event) -> ApplyResult | None:
    """A rejection that needs no database, or ``None``."""
    if event.kind not in _KINDS:
        return ApplyResult(event.event_id, "rejected", f"event kind {event.kind} is not for the directory")
    if contains_nul(event.payload) or contains_nul([event.event_id, event.subject, event.message_id]):
        return ApplyResult(event.event_id, "rejected", "the event contains a NUL character")
    return None


def _decide(event: Event, inbox: InboxBatch, changes: _Changes, at: datetime) -> ApplyResult:
    """One event's outcome given what the store and the earlier events of the batch hold."""
    if inbox.seen(event.event_id):
        return ApplyResult(event.event_id, "duplicate")
    update: DirectoryUpdate | None = None
    if event.kind == "directory.child.upsert":
        try:
            update = DirectoryUpdate.model_validate(event.payload)
        except ValidationError as exc:
            return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
        if update.entry.child_id != event.subject:
            return ApplyResult(event.event_id, "rejected", "the event's subject is not the entry's child id")
    if inbox.is_stale(event):
        return inbox.record(event, "stale")
    if update is not None:
        try:
            changes.upserts[event.subject] = entry_rows(update, la_code=event.la_code, at=at)  # checks every value
        except TooLong as exc:
            return ApplyResult(event.event_id, "rejected", str(exc))
        inbox.advance(event.subject, event.version, purged_at=None)
    else:
        changes.upserts.pop(event.subject, None)
        changes.purged.add(event.subject)
        changes.purges.append(event)
        inbox.advance(event.subject, event.version, purged_at=at)
    return inbox.record(event, "applied")


def apply_directory_events(
    connection: Connection, events: Sequence[Event], audit: AuditLog, at: datetime
) -> list[ApplyResult]:
    """Apply ``events`` in ``connection``'s transaction; one result per event, in order."""
    screened = [_screen(event) for event in events]
    inbox = DIRECTORY_INBOX.open_batch(connection, [e for e, r in zip(events, screened, strict=True) if r is None])
    changes = _Changes()
    results = [
        rejected if rejected is not None else _decide(event, inbox, changes, at)
        for event, rejected in zip(events, screened, strict=True)
    ]
    _write(connection, changes, audit, at)
    inbox.flush(connection)
    return results


def _write(connection: Connection, changes: _Changes, audit: AuditLog, at: datetime) -> None:
    """Purged children lose every row (practitioners' records too); a child whose last word is an upsert
    then gets the supplier's rows replaced (or, new or just purged, inserted)."""
    if changes.purged:
        secure_delete(connection)
        delete_children(connection, changes.purged)
    existing: set[str] = set()
    for chunk in in_lists(subject for subject in changes.upserts if subject not in changes.purged):
        found = connection.execute(
            select(directory_children.c.child_id).where(directory_children.c.child_id.in_(chunk))
        ).scalars()
        existing.update(found)
    delete_children(connection, existing, keep_practitioner_records=True)
    write_entries(connection, list(changes.upserts.values()), existing=existing)
    for event in changes.purges:
        _audit_purge(connection, event, audit, at)


def _audit_purge(connection: Connection, event: Event, audit: AuditLog, at: datetime) -> None:
    audit.append(
        connection,
        AuditEntry.by(
            SYSTEM_CALLER,
            "directory.purge",
            "the supplier asked for the record to be purged",
            "purged",
            subject=event.subject,
            query={"event_id": event.event_id, "message_id": event.message_id, "la_code": event.la_code},
            result_ids=[event.subject],
        ),
        at=at,
    )
    logger.info("directory entry purged", extra={"message_id": event.message_id, "la_code": event.la_code})
