"""Dead letters: drained from the dead-letter queues into the gateway's database, listed, and replayed.

A collector (:class:`DeadLetterProcessor`, run by ``ecm-gateway worker`` and before ``replay``) consumes
each ``<queue>.dead`` queue and stores every dead letter with its origin queue and reason in one
transaction, then acknowledges — so dead letters are visible to the ledger and to operators, and are
kept however long they wait. :meth:`DeadLetters.replay` puts chosen ones back on their origin queue
through the outbox (the default exchange, routing key = queue name), so only the store that failed sees
them again; the store's inbox makes the replay harmless if it had been applied after all.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.errors import StorageError
from gateway.routing.consumer import ACK, Outage, Verdict
from gateway.routing.outbox import Outbox
from gateway.routing.tables import dead_letters
from gateway.storage import Database
from gateway.transport import DEAD_QUEUE_HEADER, DEAD_REASON_HEADER, Delivery

__all__ = ["REPLAYS_HEADER", "DeadLetter", "DeadLetterProcessor", "DeadLetters"]

REPLAYS_HEADER = "x-ecm-replays"
_TRANSPORT_HEADERS = ("x-death", "x-delivery-count", "x-first-death-exchange", "x-first-death-queue")
_TRANSPORT_HEADERS_ALSO = ("x-first-death-reason", "x-last-death-exchange", "x-last-death-queue")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One collected dead letter (its body stays in the database; this carries no content)."""

    dead_letter_id: int
    queue: str
    message_id: str | None
    event_id: str
    kind: str | None
    reason: str
    collected_at: datetime
    replayed_at: datetime | None
    replay_count: int
    payload_removed_at: datetime | None = None
    """Set when retention or a purge emptied its body: it can no longer be replayed."""
    payload_removed_reason: str | None = None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _death(headers: dict[str, Any]) -> dict[str, Any]:
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return deaths[0]
    return {}


def origin_and_reason(delivery: Delivery) -> tuple[str, str]:
    """Where a dead letter came from and why: the consumer's headers, else RabbitMQ's ``x-death``."""
    headers = dict(delivery.headers)
    death = _death(headers)
    origin = headers.get(DEAD_QUEUE_HEADER) or death.get("queue") or delivery.queue.removesuffix(".dead")
    reason = headers.get(DEAD_REASON_HEADER) or death.get("reason") or "unknown"
    return str(origin), str(reason)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class DeadLetters:
    """The ``dead_letters`` table."""

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self._db = database
        self._outbox = outbox

    def collect(self, deliveries: Sequence[Delivery]) -> int:
        """Store dead letters in one transaction; one already stored (a redelivery) is skipped."""
        now = datetime.now(UTC)
        added = 0
        try:
            with self._db.engine.begin() as conn:
                for delivery in deliveries:
                    origin, reason = origin_and_reason(delivery)
                    headers = _jsonable(dict(delivery.headers))
                    fingerprint = hashlib.sha256(
                        origin.encode()
                        + b"\0"
                        + delivery.message_id.encode()
                        + b"\0"
                        + orjson.dumps(headers, option=orjson.OPT_SORT_KEYS)
                        + b"\0"
                        + hashlib.sha256(delivery.body).digest()
                    ).hexdigest()
                    exists = conn.execute(
                        select(dead_letters.c.dead_letter_id).where(dead_letters.c.fingerprint == fingerprint)
                    ).first()
                    if exists is not None:
                        continue
                    conn.execute(
                        insert(dead_letters).values(
                            fingerprint=fingerprint,
                            queue=origin,
                            message_id=headers.get("ecm-message-id"),
                            event_id=delivery.message_id,
                            kind=headers.get("kind"),
                            exchange=delivery.exchange,
                            routing_key=delivery.routing_key,
                            headers=headers,
                            content_type=delivery.content_type,
                            body=delivery.body,
                            reason=reason[:500],
                            collected_at=now,
                            replayed_at=None,
                            replay_count=0,
                        )
                    )
                    added += 1
        except IntegrityError:
            return self.collect(deliveries)  # a concurrent collector stored one first: skip it now
        except SQLAlchemyError as exc:
            raise StorageError("could not store dead letters") from exc
        return added

    def list(
        self,
        *,
        include_replayed: bool = False,
        ids: Sequence[int] = (),
        message_ids: Sequence[str] = (),
        queue: str | None = None,
    ) -> list[DeadLetter]:
        """Dead letters, oldest first (by default only those not yet replayed)."""
        query = select(dead_letters).order_by(dead_letters.c.dead_letter_id)
        if not include_replayed:
            query = query.where(dead_letters.c.replayed_at.is_(None))
        if ids:
            query = query.where(dead_letters.c.dead_letter_id.in_(list(ids)))
        if message_ids:
            query = query.where(dead_letters.c.message_id.in_(list(message_ids)))
        if queue is not None:
            query = query.where(dead_letters.c.queue == queue)
        with self._db.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            DeadLetter(
                dead_letter_id=row.dead_letter_id,
                queue=row.queue,
                message_id=row.message_id,
                event_id=row.event_id,
                kind=row.kind,
                reason=row.reason,
                collected_at=_aware(row.collected_at) or datetime.now(UTC),
                replayed_at=_aware(row.replayed_at),
                replay_count=row.replay_count,
                payload_removed_at=_aware(row.payload_removed_at),
                payload_removed_reason=row.payload_removed_reason,
            )
            for row in rows
        ]

    def open_by_message(self) -> Counter[str]:
        """Dead letters not yet replayed, counted per received message (for the ledger)."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(dead_letters.c.message_id, func.count())
                .where(dead_letters.c.replayed_at.is_(None), dead_letters.c.message_id.is_not(None))
                .group_by(dead_letters.c.message_id)
            ).all()
        return Counter({message_id: count for message_id, count in rows})

    def replay(self, ids: Sequence[int], *, audit: AuditLog | None = None, by: Caller | None = None) -> int:
        """Put dead letters back on their origin queue (through the outbox) and mark them replayed.

        A dead letter whose body retention or a purge removed is skipped (listed with ``payload_removed_at``).
        With ``audit`` and ``by`` (the operator) the replay is audited in the same transaction.
        """
        if not ids:
            return 0
        now = datetime.now(UTC)
        try:
            with self._db.engine.begin() as conn:
                rows = conn.execute(
                    select(dead_letters).where(
                        dead_letters.c.dead_letter_id.in_(list(ids)),
                        dead_letters.c.replayed_at.is_(None),
                        dead_letters.c.payload_removed_at.is_(None),  # nothing left to put back
                    )
                ).all()
                outgoing = []
                for row in rows:
                    headers = {
                        key: value
                        for key, value in dict(row.headers).items()
                        if key not in (DEAD_REASON_HEADER, DEAD_QUEUE_HEADER)
                        and key not in _TRANSPORT_HEADERS
                        and key not in _TRANSPORT_HEADERS_ALSO
                        and key != "x-ecm-retries"
                    }
                    headers[REPLAYS_HEADER] = int(headers.get(REPLAYS_HEADER, 0)) + 1
                    outgoing.append(
                        {
                            "message_id": row.message_id or "",
                            "event_id": row.event_id,
                            "kind": row.kind or "replay",
                            "exchange": "",
                            "routing_key": row.queue,
                            "headers": headers,
                            "content_type": row.content_type or "application/json",
                            "body": bytes(row.body),
                        }
                    )
                self._outbox.add(conn, outgoing)
                conn.execute(
                    update(dead_letters)
                    .where(dead_letters.c.dead_letter_id.in_([row.dead_letter_id for row in rows]))
                    .values(replayed_at=now, replay_count=dead_letters.c.replay_count + 1)
                )
                if audit is not None and by is not None and rows:
                    replayed = [str(row.dead_letter_id) for row in rows]
                    entry = AuditEntry.by(by, "deadletter.replay", "operator replay", "requeued", result_ids=replayed)
                    audit.append(conn, entry)
        except SQLAlchemyError as exc:
            raise StorageError("could not replay dead letters") from exc
        return len(rows)


class DeadLetterProcessor:
    """Stores a batch of dead letters, then lets the worker acknowledge them."""

    def __init__(self, store: DeadLetters) -> None:
        self.store = store

    def process(self, deliveries: Sequence[Delivery]) -> list[Verdict]:
        try:
            self.store.collect(deliveries)
        except StorageError as exc:
            raise Outage("the gateway database is unavailable") from exc
        return [ACK] * len(deliveries)
