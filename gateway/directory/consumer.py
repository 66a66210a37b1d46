"""Applying routed events to the directory: ``directory.child.upsert`` and ``directory.child.purge``.

Each event is applied inside the caller's transaction: the inbox row, the subject's version and the change
commit together (see :mod:`gateway.inbox`). A purge deletes every row about the child — nothing is kept but
the child id's version (so a stale upsert cannot bring it back) and the audit entry that records the purge.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Connection, text

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.directory.records import TooLong, delete_child, write_update
from gateway.events import Event
from gateway.inbox import ApplyResult, Inbox, contains_nul, invalid_payload_reason
from gateway.storage.tables import directory_inbox, directory_versions
from gateway.views import DirectoryUpdate

__all__ = ["DIRECTORY_INBOX", "apply_directory_event", "secure_delete"]

logger = logging.getLogger(__name__)

DIRECTORY_INBOX = Inbox(directory_inbox, directory_versions)

_KINDS = frozenset({"directory.child.upsert", "directory.child.purge"})


def secure_delete(connection: Connection) -> None:
    """On SQLite, overwrite deleted content with zeros (PostgreSQL's VACUUM reclaims dead rows)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))


def apply_directory_event(connection: Connection, event: Event, audit: AuditLog, at: datetime) -> ApplyResult:
    """Apply one event in ``connection``'s transaction."""
    if event.kind not in _KINDS:
        return ApplyResult(event.event_id, "rejected", f"event kind {event.kind} is not for the directory")
    if contains_nul(event.payload) or contains_nul([event.event_id, event.subject, event.message_id]):
        return ApplyResult(event.event_id, "rejected", "the event contains a NUL character")
    if DIRECTORY_INBOX.seen(connection, event.event_id):
        return ApplyResult(event.event_id, "duplicate")
    if event.kind == "directory.child.upsert":
        try:
            update = DirectoryUpdate.model_validate(event.payload)
        except ValidationError as exc:
            return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
        if update.entry.child_id != event.subject:
            return ApplyResult(event.event_id, "rejected", "the event's subject is not the entry's child id")
    if DIRECTORY_INBOX.is_stale(connection, event):
        return DIRECTORY_INBOX.record(connection, event, "stale")
    if event.kind == "directory.child.upsert":
        try:
            write_update(connection, update, la_code=event.la_code, at=at)  # checks every value before writing
        except TooLong as exc:
            return ApplyResult(event.event_id, "rejected", str(exc))
        DIRECTORY_INBOX.advance(connection, event.subject, event.version, purged_at=None)
    else:
        secure_delete(connection)
        delete_child(connection, event.subject)
        DIRECTORY_INBOX.advance(connection, event.subject, event.version, purged_at=at)
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
    return DIRECTORY_INBOX.record(connection, event, "applied")
