"""The local durable transport: queues as rows in the gateway's own database (SQLite or PostgreSQL).

With ``ECM_BROKER_URL`` unset the gateway runs on this transport, so ``ecm-gateway demo`` and a laptop
install need nothing else. It keeps the :mod:`gateway.transport` contract that RabbitMQ keeps:

* **publish** routes through the declared exchanges and bindings (direct, topic, fanout; the default
  exchange ``""`` by queue name) and inserts one row per queue reached, in one transaction: committed is
  ``confirmed``; a message that reaches no queue is ``returned`` (mandatory); a full queue ``nacked``.
* **consume** claims rows with a lease (the visibility timeout; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
  consumers share a queue): an unacknowledged row becomes visible again when its lease expires, with its
  delivery count raised. ``ack`` deletes the rows; ``retry`` hides the row for the delay; a row given back
  more than the queue's delivery limit is moved to its dead-letter queue with reason ``delivery_limit``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from adapters.transports.local_consumer import LocalConsumer
from gateway.errors import ConfigurationError, TransportError
from gateway.routing.tables import (
    transport_bindings,
    transport_exchanges,
    transport_messages,
    transport_queues,
)
from gateway.storage import Database
from gateway.transport import (
    BindingSpec,
    ExchangeSpec,
    OutgoingMessage,
    PublishOutcome,
    QueueSpec,
    Topology,
)

__all__ = ["LocalConsumer", "LocalTransport"]

log = logging.getLogger(__name__)

_REFRESH_S = 2.0


class _Routes:
    """The declared topology, cached in memory and re-read every few seconds (other processes declare too)."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._topology = Topology((), (), (), "", "")
        self._queues: dict[str, tuple[str | None, int | None, int | None]] = {}

    def refresh(self, *, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._loaded_at < _REFRESH_S:
                return
            with self._db.engine.connect() as conn:
                exchanges = conn.execute(select(transport_exchanges)).all()
                queues = conn.execute(select(transport_queues)).all()
                bindings = conn.execute(select(transport_bindings)).all()
            self._topology = Topology(
                exchanges=tuple(ExchangeSpec(row.name, row.type) for row in exchanges),
                queues=tuple(QueueSpec(row.name) for row in queues),
                bindings=tuple(BindingSpec(row.exchange, row.queue, row.binding_key) for row in bindings),
                dead_letter_exchange="",
                retry_exchange="",
            )
            self._queues = {row.name: (row.dead_letter_queue, row.delivery_limit, row.max_length) for row in queues}
            self._loaded_at = time.monotonic()

    def queues_for(self, exchange: str, routing_key: str) -> tuple[str, ...] | None:
        """Queues reached, or ``None`` when the exchange does not exist."""
        self.refresh()
        if exchange and self._topology.exchange_type(exchange) is None:
            self.refresh(force=True)
            if self._topology.exchange_type(exchange) is None:
                return None
        return self._topology.queues_for(exchange, routing_key)

    def queue(self, name: str) -> tuple[str | None, int | None, int | None] | None:
        """``(dead_letter_queue, delivery_limit, max_length)`` of a declared queue."""
        self.refresh()
        return self._queues.get(name)


class LocalTransport:
    """:class:`gateway.transport.Transport` on the gateway's database."""

    kind = "local"

    def __init__(self, database: Database, *, visibility_timeout: float = 60.0, poll_interval: float = 0.1) -> None:
        self._db = database
        self.visibility_timeout = visibility_timeout
        self.poll_interval = poll_interval
        self._routes = _Routes(database)

    @property
    def database(self) -> Database:
        return self._db

    def declare(self, topology: Topology) -> None:
        try:
            with self._db.engine.begin() as conn:
                for exchange in topology.exchanges:
                    self._declare_exchange(conn, exchange)
                for queue in topology.queues:
                    self._declare_queue(conn, queue)
                existing = {tuple(row) for row in conn.execute(select(transport_bindings))}
                for binding in topology.bindings:
                    if (binding.exchange, binding.queue, binding.key) not in existing:
                        conn.execute(
                            insert(transport_bindings).values(
                                exchange=binding.exchange, queue=binding.queue, binding_key=binding.key
                            )
                        )
        except SQLAlchemyError as exc:
            raise TransportError("could not declare the local transport's topology") from exc
        self._routes.refresh(force=True)

    @staticmethod
    def _declare_exchange(conn: Connection, exchange: ExchangeSpec) -> None:
        found = conn.execute(
            select(transport_exchanges.c.type).where(transport_exchanges.c.name == exchange.name)
        ).scalar_one_or_none()
        if found is None:
            conn.execute(insert(transport_exchanges).values(name=exchange.name, type=exchange.type))
        elif found != exchange.type:
            raise ConfigurationError(
                f"exchange {exchange.name!r} exists as {found}, not {exchange.type}; delete it to change its type"
            )

    @staticmethod
    def _declare_queue(conn: Connection, queue: QueueSpec) -> None:
        wanted = (queue.dead_letter_queue, queue.delivery_limit, queue.max_length)
        found = conn.execute(select(transport_queues).where(transport_queues.c.name == queue.name)).first()
        if found is None:
            conn.execute(
                insert(transport_queues).values(
                    name=queue.name,
                    dead_letter_queue=queue.dead_letter_queue,
                    delivery_limit=queue.delivery_limit,
                    max_length=queue.max_length,
                )
            )
        elif (found.dead_letter_queue, found.delivery_limit, found.max_length) != wanted:
            raise ConfigurationError(
                f"queue {queue.name!r} exists with other arguments (dead-letter queue, delivery limit, max length:"
                f" {found.dead_letter_queue}, {found.delivery_limit}, {found.max_length}); delete it or keep them"
            )

    def publish(self, messages: Sequence[OutgoingMessage], *, timeout: float = 30.0) -> list[PublishOutcome]:
        del timeout  # one local transaction
        outcomes: list[PublishOutcome | None] = [None] * len(messages)
        rows: list[dict[str, Any]] = []
        now = time.time()
        try:
            depths: dict[str, int] = {}
            for index, message in enumerate(messages):
                queues = self._routes.queues_for(message.exchange, message.routing_key)
                if queues is None:
                    outcomes[index] = PublishOutcome("returned", f"no exchange {message.exchange!r}")
                    continue
                if not queues:
                    outcomes[index] = PublishOutcome("returned", "unroutable: no queue is bound for this key")
                    continue
                full = self._full_queue(queues, depths)
                if full is not None:
                    outcomes[index] = PublishOutcome("nacked", f"queue {full} is full (reject-publish)")
                    continue
                for queue in queues:
                    depths[queue] = depths.get(queue, 0) + 1
                    rows.append(_row(queue, message, now))
                outcomes[index] = PublishOutcome("confirmed")
            if rows:
                with self._db.engine.begin() as conn:
                    conn.execute(insert(transport_messages), rows)
        except SQLAlchemyError as exc:
            log.warning("local transport publish failed", exc_info=exc)
            return [PublishOutcome("unknown", "the database did not commit the publish")] * len(messages)
        return [outcome or PublishOutcome("unknown") for outcome in outcomes]

    def _full_queue(self, queues: Sequence[str], depths: dict[str, int]) -> str | None:
        for queue in queues:
            declared = self._routes.queue(queue)
            if declared is None or declared[2] is None:
                continue
            if queue not in depths:
                depths[queue] = self.queue_depth(queue)
            if depths[queue] >= declared[2]:
                return queue
        return None

    def open_consumer(self, queue: str, *, prefetch: int) -> LocalConsumer:
        if self._routes.queue(queue) is None:
            self._routes.refresh(force=True)
            if self._routes.queue(queue) is None:
                raise TransportError(f"queue {queue!r} is not declared; run: ecm-gateway broker setup")
        return LocalConsumer(self, queue, prefetch=prefetch)

    def queue_depth(self, queue: str) -> int:
        with self._db.engine.connect() as conn:
            count = conn.execute(
                select(func.count()).where(
                    transport_messages.c.queue == queue, transport_messages.c.available_at <= time.time()
                )
            ).scalar_one()
        return int(count)

    def check(self) -> None:
        try:
            with self._db.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError as exc:
            raise TransportError("the local transport's database is unreachable") from exc

    def close(self) -> None:
        """Nothing to close: the database belongs to the caller."""

    # -- used by LocalConsumer ------------------------------------------------------------------------

    def dead_letter_target(self, queue: str) -> tuple[str | None, int | None]:
        declared = self._routes.queue(queue)
        return (declared[0], declared[1]) if declared is not None else (None, None)


def _row(queue: str, message: OutgoingMessage, now: float) -> dict[str, Any]:
    return {
        "queue": queue,
        "message_id": message.message_id,
        "exchange": message.exchange,
        "routing_key": message.routing_key,
        "headers": dict(message.headers),
        "content_type": message.content_type,
        "body": message.body,
        "published_at": now,
        "available_at": now,
        "delivery_count": 0,
        "lease_token": None,
    }
