"""Applying routed events to the directory: ``directory.child.upsert`` and ``directory.child.purge``.

A batch of events is applied inside the caller's transaction, set-based: the inbox and the subjects'
versions are read in one go (:class:`~gateway.inbox.InboxBatch`), every event's outcome is decided in
memory in batch order — exactly as if the events were applied one at a time — and only the newest
applied event of each child is written, with a constant number of statements per batch (bulk deletes,
multi-row inserts). Every processed event id still goes into the inbox with its own outcome.

A child's entry is merged from every supplier record's view of it (:mod:`gateway.directory.sources`): an
upsert replaces only its own source's view, and is stale only against that source's versions (or a purge).
A ``directory.child.move`` (a person unmerged a record) takes a record's view from one child to another.

A purge deletes every row about the child — nothing is kept but the child id's version (so a stale upsert
cannot bring it back) and the audit entry that records the purge — unless a view newer than the purge was
already applied, which is then all the entry holds.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Connection, select, text, update

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.directory.records import EntryRows, TooLong, delete_children, entry_rows, write_entries
from gateway.directory.sources import FLOOR, ViewBatch
from gateway.events import Event
from gateway.inbox import ApplyResult, Inbox, InboxBatch, contains_nul, in_lists, invalid_payload_reason
from gateway.storage.tables import directory_children, directory_inbox, directory_involvements, directory_versions
from gateway.views import DirectoryMove, DirectoryUpdate

__all__ = ["DIRECTORY_INBOX", "apply_directory_events", "secure_delete"]

logger = logging.getLogger(__name__)

DIRECTORY_INBOX = Inbox(directory_inbox, directory_versions)

_KINDS = frozenset({"directory.child.upsert", "directory.child.purge", "directory.child.move"})


def secure_delete(connection: Connection) -> None:
    """On SQLite, overwrite deleted content with zeros (PostgreSQL's VACUUM reclaims dead rows)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))


@dataclass
class _Changes:
    """What a batch does: every child's views (changed in memory), the purges applied in batch order, and
    the moves (from, to) applied."""

    views: ViewBatch
    purged: set[str] = field(default_factory=set)
    purges: list[Event] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)


def _screen(event: Event) -> ApplyResult | None:
    """A rejection that needs no database, or ``None``."""
    if event.kind not in _KINDS:
        return ApplyResult(event.event_id, "rejected", f"event kind {event.kind} is not for the directory")
    if contains_nul(event.payload) or contains_nul([event.event_id, event.subject, event.message_id]):
        return ApplyResult(event.event_id, "rejected", "the event contains a NUL character")
    return None


def _payload(event: Event) -> DirectoryUpdate | DirectoryMove | ApplyResult | None:
    """The event's payload, validated (``None`` for a purge), or its rejection."""
    try:
        if event.kind == "directory.child.upsert":
            update = DirectoryUpdate.model_validate(event.payload)
            if update.entry.child_id != event.subject:
                return ApplyResult(event.event_id, "rejected", "the event's subject is not the entry's child id")
            return update
        if event.kind == "directory.child.move":
            return DirectoryMove.model_validate(event.payload)
    except ValidationError as exc:
        return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
    return None


def _decide(event: Event, inbox: InboxBatch, changes: _Changes, at: datetime) -> ApplyResult:
    """One event's outcome given what the store and the earlier events of the batch hold."""
    if inbox.seen(event.event_id):
        return ApplyResult(event.event_id, "duplicate")
    payload = _payload(event)
    if isinstance(payload, ApplyResult):
        return payload
    views = changes.views
    source = payload.source if payload is not None else FLOOR  # a purge is stale only below an earlier purge
    if views.is_stale(event.subject, source, event.version):
        return inbox.record(event, "stale")
    if isinstance(payload, DirectoryUpdate):
        try:
            entry_rows(payload, la_code=event.la_code, at=at)  # checks every value
        except TooLong as exc:
            return ApplyResult(event.event_id, "rejected", str(exc))
        views.upsert(event.subject, event.version, event.la_code, payload)
    elif isinstance(payload, DirectoryMove):
        views.move(event.subject, event.version, payload.source, payload.to)
        if payload.to is not None:
            changes.moves.append((event.subject, payload.to))
    else:
        views.purge(event.subject, event.version)
        changes.purged.add(event.subject)
        changes.purges.append(event)
    if not inbox.is_stale(event):  # another source's later version may already be held: keep the newest
        inbox.advance(event.subject, event.version, purged_at=at if payload is None else None)
    return inbox.record(event, "applied")


def _move_targets(events: Sequence[Event]) -> list[Event]:
    """Stand-ins for the children that moves bring views to, so that their versions are locked as well."""
    targets: list[Event] = []
    for event in events:
        to = event.payload.get("to") if event.kind == "directory.child.move" else None
        if isinstance(to, str) and 0 < len(to) <= 128:
            targets.append(event.model_copy(update={"subject": to}))
    return targets


def apply_directory_events(
    connection: Connection, events: Sequence[Event], audit: AuditLog, at: datetime
) -> list[ApplyResult]:
    """Apply ``events`` in ``connection``'s transaction; one result per event, in order."""
    screened = [_screen(event) for event in events]
    valid = [e for e, r in zip(events, screened, strict=True) if r is None]
    inbox = DIRECTORY_INBOX.open_batch(connection, [*valid, *_move_targets(valid)])
    changes = _Changes(ViewBatch(connection, [e.subject for e in valid] + [t.subject for t in _move_targets(valid)]))
    results = [
        rejected if rejected is not None else _decide(event, inbox, changes, at)
        for event, rejected in zip(events, screened, strict=True)
    ]
    _write(connection, changes, audit, at)
    inbox.flush(connection)
    return results


def _write(connection: Connection, changes: _Changes, audit: AuditLog, at: datetime) -> None:
    """Purged children lose every row (practitioners' records too); every child whose views changed then gets
    its merged entry written (the supplier rows replaced, or, new or just purged, inserted) or, with no view
    left, is deleted — a child emptied by a move hands its practitioners' records to the child it moved to."""
    views = changes.views
    if changes.purged:
        secure_delete(connection)
        delete_children(connection, changes.purged)
    merged: dict[str, EntryRows] = {}
    for subject in views.touched():
        found = views.merged(subject)
        if found is not None:
            view, la_code = found
            merged[subject] = entry_rows(view, la_code=la_code or "000", at=at)
    existing: set[str] = set()
    for chunk in in_lists(subject for subject in merged if subject not in changes.purged):
        found_ids = connection.execute(
            select(directory_children.c.child_id).where(directory_children.c.child_id.in_(chunk))
        ).scalars()
        existing.update(found_ids)
    delete_children(connection, existing, keep_practitioner_records=True)
    write_entries(connection, list(merged.values()), existing=existing)
    emptied = {subject for subject in views.touched() if subject not in merged and subject not in changes.purged}
    involvements = directory_involvements.c
    for source, target in changes.moves:
        if source in emptied and target in merged:
            connection.execute(
                update(directory_involvements)
                .where(involvements.child_id == source, involvements.recorded_by == "practitioner")
                .values(child_id=target)
            )
    if emptied:
        secure_delete(connection)
        delete_children(connection, emptied)
    views.write(connection, at)
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
