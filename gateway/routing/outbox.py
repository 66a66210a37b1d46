"""The outbox: outgoing events written in the same transaction as the message's outcome, then relayed.

:meth:`Outbox.write` runs inside the transaction that records the outcome (see
:meth:`gateway.storage.MessageStore.record_outcome`): it assigns each event its id and the next version of
its subject (``subject_versions``, an upsert that locks the subject's row until commit, so versions follow
commit order) and inserts one row per outgoing message. Nothing is published here.

The relay then :meth:`claims <Outbox.claim>` pending rows with a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several relays share the work), publishes them with confirms, and :meth:`marks them sent
<Outbox.mark_sent>` only when confirmed; anything else is :meth:`released <Outbox.release>` with a back-off
and published again (at least once; consumers deduplicate on the event id).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StorageError
from gateway.events import Event
from gateway.model import Envelope
from gateway.routing.router import Routing
from gateway.routing.tables import outbox, subject_versions
from gateway.routing.topology import Names
from gateway.storage import Database
from gateway.transport import OutgoingMessage

__all__ = ["SUPPLIER_DELIVERY", "Outbox", "OutboxRow", "OutboxStats"]

SUPPLIER_DELIVERY = "supplier.delivery"
"""The outbox ``kind`` of a message written in a receiving supplier's format."""
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One claimed outbox row."""

    outbox_id: int
    message_id: str
    event_id: str
    kind: str
    exchange: str
    routing_key: str
    headers: dict[str, Any]
    content_type: str
    body: bytes
    attempts: int

    def outgoing(self) -> OutgoingMessage:
        return OutgoingMessage(
            message_id=self.event_id,
            exchange=self.exchange,
            routing_key=self.routing_key,
            body=self.body,
            headers=self.headers,
            content_type=self.content_type,
        )


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_pending_age: float
    """Seconds since the oldest unsent row was written (0 when none): the outbox lag."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _upsert_versions(dialect: str) -> Any:
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(subject_versions)
    elif dialect == "sqlite":
        stmt = sqlite.insert(subject_versions)
    else:  # pragma: no cover - only the two supported databases
        raise StorageError(f"per-subject versions are not implemented for {dialect}")
    return stmt.on_conflict_do_update(
        index_elements=[subject_versions.c.subject],
        set_={"version": subject_versions.c.version + stmt.excluded.version},
    ).returning(subject_versions.c.subject, subject_versions.c.version)


def assign_versions(conn: Connection, counts: Counter[str]) -> dict[str, int]:
    """Reserve ``counts[subject]`` new versions per subject; returns the first reserved version of each.

    One upsert per subject, sent as batched ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` statements;
    the row lock each takes lasts until commit, so a subject's versions follow commit order. Subjects are
    sorted so that concurrent transactions lock them in the same order (no deadlock).
    """
    if not counts:
        return {}
    subjects = sorted(counts)
    rows = conn.execute(
        _upsert_versions(conn.dialect.name), [{"subject": s, "version": counts[s]} for s in subjects]
    ).all()
    return {subject: int(last) - counts[subject] + 1 for subject, last in rows}


class Outbox:
    """Outgoing messages in the gateway's database."""

    def __init__(self, database: Database, names: Names) -> None:
        self._db = database
        self.names = names

    def write(self, conn: Connection, envelope: Envelope, routing: Routing, *, at: datetime) -> int:
        """Insert ``routing``'s events and deliveries in the caller's transaction; returns the row count."""
        counts = Counter(planned.subject for planned in routing.events)
        for planned in routing.events:
            if planned.ordered_by is not None:
                counts[planned.ordered_by] += 0  # locked and read too (its newest version goes on the event)
        next_version = assign_versions(conn, counts)
        now = time.time()
        rows: list[dict[str, Any]] = []
        for planned in routing.events:
            version = next_version[planned.subject]
            next_version[planned.subject] = version + 1
            child_version = next_version[planned.ordered_by] - 1 if planned.ordered_by is not None else None
            event = Event(
                event_id=planned.event_id or uuid.uuid4().hex,
                kind=planned.kind,
                subject=planned.subject,
                version=version,
                la_code=planned.la_code,
                message_id=envelope.message_id,
                occurred_at=at,
                payload=dict(planned.payload),
                child_version=child_version,
            )
            rows.append(
                {
                    "message_id": envelope.message_id,
                    "event_id": event.event_id,
                    "kind": event.kind,
                    "exchange": self.names.events_exchange,
                    "routing_key": event.routing_key,
                    "headers": {
                        "kind": event.kind,
                        "version": version,
                        "la-code": event.la_code,
                        "ecm-message-id": envelope.message_id,
                    },
                    "content_type": "application/json",
                    "body": event.model_dump_json().encode("utf-8"),
                    "created_at": at,
                    "next_attempt_at": now,
                    "attempts": 0,
                }
            )
        for delivery in routing.deliveries:
            rows.append(
                {
                    "message_id": envelope.message_id,
                    "event_id": uuid.uuid4().hex,
                    "kind": SUPPLIER_DELIVERY,
                    "exchange": self.names.outbound_exchange,
                    "routing_key": delivery.supplier,
                    "headers": {
                        "format": delivery.format_id,
                        "la-code": delivery.la_code,
                        "ecm-message-id": envelope.message_id,
                        "source-supplier": envelope.supplier_id,
                    },
                    "content_type": delivery.media_type,
                    "body": delivery.body,
                    "created_at": at,
                    "next_attempt_at": now,
                    "attempts": 0,
                }
            )
        if rows:
            conn.execute(insert(outbox), rows)
        return len(rows)

    def emit(self, conn: Connection, event: Event) -> None:
        """Queue an event a store raised, in the store's transaction (``gateway.store_events.EventSink``).

        The event keeps its id and version; emitting the same event id twice is harmless.
        """
        exists = conn.execute(select(outbox.c.outbox_id).where(outbox.c.event_id == event.event_id).limit(1)).first()
        if exists is not None:
            return
        self.add(
            conn,
            [
                {
                    "message_id": event.message_id,
                    "event_id": event.event_id,
                    "kind": event.kind,
                    "exchange": self.names.events_exchange,
                    "routing_key": event.routing_key,
                    "headers": {"kind": event.kind, "version": event.version, "la-code": event.la_code},
                    "content_type": "application/json",
                    "body": event.model_dump_json().encode("utf-8"),
                }
            ],
        )

    def add(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ready-made rows (replayed dead letters) in the caller's transaction."""
        now = time.time()
        at = datetime.now(UTC)
        if rows:
            conn.execute(
                insert(outbox),
                [{"created_at": at, "next_attempt_at": now, "attempts": 0, **row} for row in rows],
            )

    def claim(self, limit: int, *, lease: float) -> list[OutboxRow]:
        """Take up to ``limit`` unsent rows (oldest first) and hide them from other relays for ``lease`` s."""
        now = time.time()
        pending = (
            select(outbox.c.outbox_id)
            .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.outbox_id)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            pending = pending.with_for_update(skip_locked=True)
        stmt = (
            update(outbox)
            .where(outbox.c.outbox_id.in_(pending.scalar_subquery()))
            .values(next_attempt_at=now + lease, attempts=outbox.c.attempts + 1)
            .returning(
                outbox.c.outbox_id,
                outbox.c.message_id,
                outbox.c.event_id,
                outbox.c.kind,
                outbox.c.exchange,
                outbox.c.routing_key,
                outbox.c.headers,
                outbox.c.content_type,
                outbox.c.body,
                outbox.c.attempts,
            )
        )
        try:
            with self._db.engine.begin() as conn:
                result = conn.execute(stmt).all()
        except SQLAlchemyError as exc:
            raise StorageError("could not claim outbox rows") from exc
        rows = [
            OutboxRow(
                outbox_id=row.outbox_id,
                message_id=row.message_id,
                event_id=row.event_id,
                kind=row.kind,
                exchange=row.exchange,
                routing_key=row.routing_key,
                headers=dict(row.headers),
                content_type=row.content_type,
                body=bytes(row.body),
                attempts=row.attempts,
            )
            for row in result
        ]
        rows.sort(key=lambda row: row.outbox_id)
        return rows

    def mark_sent(self, ids: Sequence[int]) -> None:
        """Record confirmed rows as sent (they are never published again)."""
        if not ids:
            return
        now = datetime.now(UTC)
        try:
            with self._db.engine.begin() as conn:
                for chunk in _chunks(list(ids)):
                    conn.execute(
                        update(outbox).where(outbox.c.outbox_id.in_(chunk)).values(sent_at=now, last_error=None)
                    )
        except SQLAlchemyError as exc:
            raise StorageError("could not mark outbox rows sent") from exc

    def release(self, failures: Sequence[tuple[int, str]], *, backoff: float) -> None:
        """Make unconfirmed rows due again after ``backoff`` seconds, noting why (no personal data)."""
        if not failures:
            return
        by_reason: dict[str, list[int]] = defaultdict(list)
        for outbox_id, reason in failures:
            by_reason[reason[:200]].append(outbox_id)
        due = time.time() + backoff
        try:
            with self._db.engine.begin() as conn:
                for reason, ids in by_reason.items():
                    for chunk in _chunks(ids):
                        conn.execute(
                            update(outbox)
                            .where(outbox.c.outbox_id.in_(chunk))
                            .values(next_attempt_at=due, last_error=reason)
                        )
        except SQLAlchemyError as exc:
            raise StorageError("could not release outbox rows") from exc

    def make_due(self) -> int:
        """Make every unsent row due now (after fixing the topology, instead of waiting out back-offs).

        A row leased by a running relay may then be published twice; consumers deduplicate.
        """
        try:
            with self._db.engine.begin() as conn:
                result = conn.execute(
                    update(outbox).where(outbox.c.sent_at.is_(None)).values(next_attempt_at=time.time())
                )
        except SQLAlchemyError as exc:
            raise StorageError("could not reschedule outbox rows") from exc
        return int(result.rowcount or 0)

    def stats(self) -> OutboxStats:
        """Pending rows and the age of the oldest (outbox lag)."""
        with self._db.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
            ).one()
        age = (datetime.now(UTC) - _aware(oldest)).total_seconds() if oldest is not None else 0.0
        return OutboxStats(pending=int(count), oldest_pending_age=max(age, 0.0))

    def for_message(self, message_id: str) -> list[tuple[str, str, str, bool]]:
        """``(kind, exchange, routing_key, sent)`` of every row of a message, in order."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.kind, outbox.c.exchange, outbox.c.routing_key, outbox.c.sent_at)
                .where(outbox.c.message_id == message_id)
                .order_by(outbox.c.outbox_id)
            ).all()
        return [(kind, exchange, key, sent is not None) for kind, exchange, key, sent in rows]

    def prune(self, *, older_than: timedelta) -> int:
        """Delete rows sent longer ago than ``older_than`` (unsent rows are never deleted)."""
        cutoff = datetime.now(UTC) - older_than
        with self._db.engine.begin() as conn:
            result = conn.execute(delete(outbox).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < cutoff))
        return int(result.rowcount or 0)
