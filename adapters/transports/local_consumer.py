"""The local transport's consumer: leases rows of one queue (see ``local.py``)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import TransportError
from gateway.routing.tables import transport_messages
from gateway.transport import DEAD_QUEUE_HEADER, DEAD_REASON_HEADER, Delivery

if TYPE_CHECKING:
    from adapters.transports.local import LocalTransport

__all__ = ["RETRIES_HEADER", "LocalConsumer"]

log = logging.getLogger(__name__)

RETRIES_HEADER = "x-ecm-retries"


class LocalConsumer:
    """A consumer of one local queue (see :class:`gateway.transport.Consumer`)."""

    def __init__(self, transport: LocalTransport, queue: str, *, prefetch: int) -> None:
        self._transport = transport
        self._db = transport.database
        self.queue = queue
        self.prefetch = prefetch
        self._token = uuid.uuid4().hex
        self._unsettled: set[int] = set()
        self._closed = False

    def fetch(self, max_messages: int, *, timeout: float) -> list[Delivery]:
        if max_messages <= 0:
            time.sleep(timeout)
            return []
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            room = min(max_messages, self.prefetch - len(self._unsettled))
            if room <= 0:
                return []
            found = self._claim(room)
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, self._transport.poll_interval)

    def _claim(self, limit: int) -> list[Delivery]:
        now = time.time()
        dead_queue, delivery_limit = self._transport.dead_letter_target(self.queue)
        ready = (
            select(transport_messages.c.id)
            .where(transport_messages.c.queue == self.queue, transport_messages.c.available_at <= now)
            .order_by(transport_messages.c.id)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            ready = ready.with_for_update(skip_locked=True)
        claim = (
            update(transport_messages)
            .where(transport_messages.c.id.in_(ready.scalar_subquery()))
            .values(
                available_at=now + self._transport.visibility_timeout,
                delivery_count=transport_messages.c.delivery_count + 1,
                lease_token=self._token,
            )
            .returning(*transport_messages.c)
        )
        try:
            with self._db.engine.begin() as conn:
                rows = sorted(conn.execute(claim).all(), key=lambda row: row.id)
                deliveries: list[Delivery] = []
                for row in rows:
                    given_back = row.delivery_count - 1
                    if delivery_limit is not None and given_back > delivery_limit:
                        _move_to_dead(conn, row, dead_queue, "delivery_limit", self.queue)
                        continue
                    deliveries.append(_delivery(row))
        except SQLAlchemyError as exc:
            raise TransportError(f"could not fetch from local queue {self.queue!r}") from exc
        self._unsettled.update(int(delivery.tag) for delivery in deliveries)
        return deliveries

    def _owned(self, delivery: Delivery) -> Any:
        return (transport_messages.c.id == int(delivery.tag)) & (transport_messages.c.lease_token == self._token)

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        ids = [int(delivery.tag) for delivery in deliveries]
        if not ids:
            return
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    delete(transport_messages).where(
                        transport_messages.c.id.in_(ids), transport_messages.c.lease_token == self._token
                    )
                )
        except SQLAlchemyError as exc:
            raise TransportError(f"could not acknowledge on local queue {self.queue!r}") from exc
        self._unsettled.difference_update(ids)

    def retry(self, delivery: Delivery, *, delay: float, reason: str) -> None:
        del reason  # the worker logs it; the row keeps its body and headers
        headers = dict(delivery.headers)
        headers[RETRIES_HEADER] = int(headers.get(RETRIES_HEADER, 0)) + 1
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    update(transport_messages)
                    .where(self._owned(delivery))
                    .values(available_at=time.time() + delay, delivery_count=0, lease_token=None, headers=headers)
                )
        except SQLAlchemyError as exc:
            raise TransportError(f"could not schedule a retry on local queue {self.queue!r}") from exc
        self._unsettled.discard(int(delivery.tag))

    def dead_letter(self, delivery: Delivery, *, reason: str) -> None:
        dead_queue, _ = self._transport.dead_letter_target(self.queue)
        try:
            with self._db.engine.begin() as conn:
                row = conn.execute(select(transport_messages).where(self._owned(delivery))).first()
                if row is not None:
                    _move_to_dead(conn, row, dead_queue, reason, self.queue)
        except SQLAlchemyError as exc:
            raise TransportError(f"could not dead-letter on local queue {self.queue!r}") from exc
        self._unsettled.discard(int(delivery.tag))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._unsettled:
            return
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    update(transport_messages)
                    .where(
                        transport_messages.c.id.in_(list(self._unsettled)),
                        transport_messages.c.lease_token == self._token,
                    )
                    .values(available_at=time.time(), lease_token=None)
                )
        except SQLAlchemyError:
            log.warning("could not give back unsettled deliveries; they return when their lease expires")
        self._unsettled.clear()


def _delivery(row: Any) -> Delivery:
    headers = dict(row.headers or {})
    retries = int(headers.get(RETRIES_HEADER, 0))
    return Delivery(
        queue=row.queue,
        message_id=row.message_id,
        exchange=row.exchange,
        routing_key=row.routing_key,
        body=bytes(row.body),
        headers=headers,
        content_type=row.content_type,
        attempt=row.delivery_count + retries,
        tag=row.id,
    )


def _move_to_dead(conn: Connection, row: Any, dead_queue: str | None, reason: str, origin: str) -> None:
    conn.execute(delete(transport_messages).where(transport_messages.c.id == row.id))
    if dead_queue is None:
        log.warning("dead letter dropped: queue has no dead-letter queue", extra={"queue": origin})
        return
    headers = dict(row.headers or {})
    headers[DEAD_REASON_HEADER] = reason[:500]
    headers[DEAD_QUEUE_HEADER] = origin
    now = time.time()
    conn.execute(
        insert(transport_messages).values(
            queue=dead_queue,
            message_id=row.message_id,
            exchange=row.exchange,
            routing_key=row.routing_key,
            headers=headers,
            content_type=row.content_type,
            body=row.body,
            published_at=now,
            available_at=now,
            delivery_count=0,
            lease_token=None,
        )
    )
