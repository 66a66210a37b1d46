"""RabbitMQ through pika: quorum queues, publisher confirms in a window, consumers with batched acks.

* **Publishing** runs a pika ``SelectConnection`` on its own I/O thread. A batch is written at once with
  ``mandatory`` set and persistent delivery; confirms (``Basic.Ack``/``Basic.Nack``, often ``multiple``)
  settle the batch message by message, and a ``Basic.Return`` before its ack makes that message
  ``returned``. One round trip per *window*, not per message (FIELD-NOTES: ~12k/s against ~900/s). A lost
  connection, a timeout or a ``connection.blocked`` resource alarm makes the unsettled messages ``unknown``
  — the outbox publishes them again.
* **Consuming** uses a ``BlockingConnection`` per consumer with ``basic_qos(prefetch)``; acks are batched
  (one ``multiple`` ack per processed batch when the tags allow it). ``retry`` republishes (with confirm)
  to ``<queue>.retry.<n>``, a TTL queue that dead-letters back to ``<queue>``; ``dead_letter`` republishes
  to the dead-letter exchange with the reason in ``x-ecm-dead-reason``; both then ack the original.
* Every pika exception is wrapped in :class:`~gateway.errors.TransportError` at this edge.

Queue arguments are built by :func:`queue_arguments` (documented in ``docs/operators/routing.md``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pika
import pika.exceptions

from adapters.transports._amqp import AMQP_ERRORS, close_quietly, retry_queue_name
from adapters.transports.rabbitmq_consumer import RabbitConsumer
from adapters.transports.rabbitmq_publisher import Publisher
from gateway.errors import ConfigurationError, TransportError
from gateway.transport import OutgoingMessage, PublishOutcome, QueueSpec, Topology

__all__ = ["RabbitConsumer", "RabbitMQTransport", "queue_arguments", "retry_queue_name"]

log = logging.getLogger(__name__)

_PRECONDITION_FAILED = 406


def queue_arguments(spec: QueueSpec, topology: Topology) -> dict[str, Any]:
    """The ``x-`` arguments of a queue: quorum, at-least-once dead-lettering, delivery limit, bound."""
    arguments: dict[str, Any] = {"x-queue-type": "quorum"}
    if spec.dead_letter_queue is not None:
        arguments.update(
            {
                "x-dead-letter-exchange": topology.dead_letter_exchange,
                "x-dead-letter-routing-key": spec.name,
                # at-least-once silently falls back to at-most-once without reject-publish (FIELD-NOTES).
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            }
        )
    if spec.delivery_limit is not None:
        arguments["x-delivery-limit"] = spec.delivery_limit
    if spec.max_length is not None:
        arguments["x-max-length"] = spec.max_length
        arguments["x-overflow"] = "reject-publish"
    return arguments


def retry_arguments(origin: str, delay: float) -> dict[str, Any]:
    """A retry queue holds messages for ``delay`` seconds, then dead-letters them back to ``origin``."""
    return {
        "x-queue-type": "quorum",
        "x-message-ttl": max(1, round(delay * 1000)),
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": origin,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


class RabbitMQTransport:
    """:class:`gateway.transport.Transport` on RabbitMQ (quorum queues)."""

    kind = "rabbitmq"

    def __init__(
        self,
        url: str,
        *,
        topology: Topology | None = None,
        connection_name: str = "ecm-gateway",
        heartbeat: int = 30,
        blocked_timeout: float = 120.0,
        connect_timeout: float = 5.0,
    ) -> None:
        try:
            params = pika.URLParameters(url)
        except ValueError as exc:
            raise ConfigurationError("ECM_BROKER_URL is not a valid AMQP URL") from exc
        params.client_properties = {"connection_name": connection_name}
        params.heartbeat = heartbeat
        params.blocked_connection_timeout = blocked_timeout
        params.connection_attempts = 1
        params.socket_timeout = connect_timeout
        params.stack_timeout = connect_timeout
        self._params = params
        self._connect_timeout = connect_timeout
        self.topology = topology
        self._publisher: Publisher | None = None
        self._lock = threading.Lock()

    def _blocking(self) -> pika.BlockingConnection:
        try:
            return pika.BlockingConnection(self._params)
        except AMQP_ERRORS as exc:
            raise TransportError(f"cannot connect to RabbitMQ: {type(exc).__name__}") from exc

    def declare(self, topology: Topology) -> None:
        connection = self._blocking()
        try:
            channel = connection.channel()
            for exchange in topology.exchanges:
                channel.exchange_declare(exchange.name, exchange.type, durable=True)
            for queue in topology.queues:
                channel.queue_declare(queue.name, durable=True, arguments=queue_arguments(queue, topology))
                for level, delay in enumerate(queue.retry_delays, start=1):
                    name = retry_queue_name(queue.name, level)
                    channel.queue_declare(name, durable=True, arguments=retry_arguments(queue.name, delay))
                    channel.queue_bind(name, topology.retry_exchange, routing_key=name)
            for binding in topology.bindings:
                channel.queue_bind(binding.queue, binding.exchange, routing_key=binding.key)
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code == _PRECONDITION_FAILED:
                raise ConfigurationError(
                    f"RabbitMQ refused the topology: {exc.reply_text}. An existing queue or exchange has other "
                    "arguments; see docs/operators/routing.md (changing queue arguments)"
                ) from exc
            raise TransportError(f"RabbitMQ refused the topology: {exc.reply_text}") from exc
        except AMQP_ERRORS as exc:
            raise TransportError(f"declaring the topology failed: {type(exc).__name__}") from exc
        finally:
            close_quietly(connection)
        self.topology = topology

    def _ensure_publisher(self) -> Publisher:
        with self._lock:
            if self._publisher is None or not self._publisher.alive:
                if self._publisher is not None:
                    self._publisher.close()
                    self._publisher = None
                self._publisher = Publisher(self._params, connect_timeout=self._connect_timeout)
            return self._publisher

    def publish(self, messages: Sequence[OutgoingMessage], *, timeout: float = 30.0) -> list[PublishOutcome]:
        if not messages:
            return []
        return self._ensure_publisher().publish(messages, timeout)

    @property
    def blocked(self) -> bool:
        """True while the broker blocks this connection's publishing (a resource alarm)."""
        publisher = self._publisher
        return publisher is not None and publisher.blocked

    def open_consumer(self, queue: str, *, prefetch: int) -> RabbitConsumer:
        retry_delays: tuple[float, ...] = ()
        dead_exchange = retry_exchange = ""
        if self.topology is not None:
            dead_exchange = self.topology.dead_letter_exchange
            retry_exchange = self.topology.retry_exchange
            try:
                retry_delays = self.topology.queue(queue).retry_delays
            except KeyError:
                retry_delays = ()
        return RabbitConsumer(
            self._blocking(),
            queue,
            prefetch=prefetch,
            dead_exchange=dead_exchange,
            retry_exchange=retry_exchange,
            retry_delays=retry_delays,
        )

    def queue_depth(self, queue: str) -> int:
        connection = self._blocking()
        try:
            frame = connection.channel().queue_declare(queue, passive=True)
            return int(frame.method.message_count)
        except AMQP_ERRORS as exc:
            raise TransportError(f"cannot read the depth of queue {queue!r}: {type(exc).__name__}") from exc
        finally:
            close_quietly(connection)

    def check(self) -> None:
        close_quietly(self._blocking())

    def close(self) -> None:
        with self._lock:
            if self._publisher is not None:
                self._publisher.close()
                self._publisher = None
