"""The transport: how the gateway publishes and consumes messages, on RabbitMQ or in its own database.

Modelled on dramatiq's brokers, kombu's transports and httpx's transports: a small interface documented
here, two implementations (``adapters.transports.rabbitmq`` with pika, ``adapters.transports.local`` in
the gateway's database) and one behaviour suite (``tests/adapters/transports/test_contract.py``) that runs
against both. ``gateway`` itself never imports an implementation; composition roots choose one.

What every implementation guarantees
------------------------------------
**Publishing** (:meth:`Transport.publish`) takes a batch and answers one :class:`PublishOutcome` per
message, in order:

``confirmed``
    the message is durably stored in at least one queue (a RabbitMQ publisher confirm; a committed row).
``returned``
    it matched no queue: every message is published *mandatory*, so nothing unroutable is silently dropped.
``nacked``
    the transport refused it (a full queue with ``reject-publish`` overflow).
``unknown``
    no answer (connection lost, timeout, resource alarm): it *may* have been stored. The caller must
    publish it again later, so a message can arrive twice and consumers deduplicate.

Only ``confirmed`` is success. ``publish`` raises :class:`~gateway.errors.TransportError` only when it
could not try at all (broker unreachable); it never raises for one message's failure.

**Consuming** (:meth:`Transport.open_consumer`) is at least once with manual acknowledgement: a delivery
belongs to its consumer until :meth:`Consumer.ack`, :meth:`Consumer.retry` or
:meth:`Consumer.dead_letter`; a consumer that dies or closes gives its unsettled deliveries back and they
are delivered again with a higher :attr:`Delivery.attempt`. A message given back more than the queue's
``delivery_limit`` times is dead-lettered by the transport itself (reason ``delivery_limit``). At most
``prefetch`` deliveries are outstanding per consumer.

**Topology** (:meth:`Transport.declare`) is declared idempotently from a :class:`Topology` value, at
start-up and by ``ecm-gateway broker setup``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "BindingSpec",
    "Consumer",
    "Delivery",
    "ExchangeSpec",
    "ExchangeType",
    "OutgoingMessage",
    "PublishOutcome",
    "PublishStatus",
    "QueueSpec",
    "Topology",
    "Transport",
    "topic_matches",
]

ExchangeType = Literal["direct", "topic", "fanout"]
PublishStatus = Literal["confirmed", "returned", "nacked", "unknown"]

DEAD_REASON_HEADER = "x-ecm-dead-reason"
"""Header naming why a message was dead-lettered (set by consumers; the transport sets ``delivery_limit``)."""
DEAD_QUEUE_HEADER = "x-ecm-dead-queue"
"""Header naming the queue a dead-lettered message came from."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to publish. ``message_id`` is the id consumers deduplicate on (an event id)."""

    message_id: str
    exchange: str
    routing_key: str
    body: bytes
    headers: Mapping[str, str | int] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """What became of one published message (see the module docstring for the four statuses)."""

    status: PublishStatus
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "confirmed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message handed to a consumer. ``tag`` is the transport's own handle for acknowledging it."""

    queue: str
    message_id: str
    exchange: str
    routing_key: str
    body: bytes
    headers: Mapping[str, Any]
    content_type: str | None
    attempt: int
    """1 on first delivery; counts every earlier delivery, whether given back, retried or lost with a consumer."""
    tag: Any = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ExchangeSpec:
    name: str
    type: ExchangeType
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """A durable queue (a replicated quorum queue on RabbitMQ; rows in the local transport)."""

    name: str
    purpose: str = ""
    dead_letter_queue: str | None = None
    """Where dead letters of this queue go (``<name>.dead``); ``None`` for a dead-letter queue itself."""
    delivery_limit: int | None = None
    """Give-backs before the transport dead-letters a message (RabbitMQ ``x-delivery-limit``)."""
    retry_delays: tuple[float, ...] = ()
    """Delays in seconds for :meth:`Consumer.retry` (RabbitMQ: one TTL retry queue per delay)."""
    max_length: int | None = None
    """Bound on ready messages; beyond it publishes are refused (``nacked``), never dropped."""


@dataclass(frozen=True, slots=True)
class BindingSpec:
    exchange: str
    queue: str
    key: str = ""


def _match_words(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        # '#' takes zero or more words.
        return any(_match_words(rest, words[skip:]) for skip in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match_words(rest, words[1:])


@cache
def topic_matches(binding_key: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more (``directory.#``, ``*.*.201``)."""
    pattern = tuple(binding_key.split(".")) if binding_key else ()
    words = tuple(routing_key.split(".")) if routing_key else ()
    return _match_words(pattern, words)


@dataclass(frozen=True, slots=True)
class Topology:
    """Exchanges, queues and bindings, declared as code (``gateway.routing.topology`` builds the gateway's)."""

    exchanges: tuple[ExchangeSpec, ...]
    queues: tuple[QueueSpec, ...]
    bindings: tuple[BindingSpec, ...]
    dead_letter_exchange: str
    """Direct exchange dead letters are routed through (routing key = origin queue)."""
    retry_exchange: str
    """Direct exchange retries are routed through (routing key = retry queue name)."""

    def queue(self, name: str) -> QueueSpec:
        for spec in self.queues:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def exchange_type(self, name: str) -> ExchangeType | None:
        for spec in self.exchanges:
            if spec.name == name:
                return spec.type
        return None

    def queues_for(self, exchange: str, routing_key: str) -> tuple[str, ...]:
        """The queues a message published to ``exchange`` with ``routing_key`` reaches (AMQP semantics).

        The default exchange ``""`` delivers to the queue named by the routing key.
        """
        if exchange == "":
            return (routing_key,) if any(spec.name == routing_key for spec in self.queues) else ()
        kind = self.exchange_type(exchange)
        found: list[str] = []
        for binding in self.bindings:
            if binding.exchange != exchange or binding.queue in found:
                continue
            if (
                kind == "fanout"
                or (kind == "direct" and binding.key == routing_key)
                or (kind == "topic" and topic_matches(binding.key, routing_key))
            ):
                found.append(binding.queue)
        return tuple(found)


@runtime_checkable
class Consumer(Protocol):
    """Deliveries from one queue, acknowledged manually. Not thread-safe: one consumer per thread."""

    queue: str

    def fetch(self, max_messages: int, *, timeout: float) -> list[Delivery]:
        """Up to ``max_messages`` deliveries: waits at most ``timeout`` seconds for the first, then takes
        what is already there (so batches grow under load and latency stays low when idle).

        ``fetch(0, timeout=t)`` takes nothing and waits ``t`` seconds, keeping the connection alive (a
        consumer holding a batch through its store's outage)."""
        ...

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Settle processed deliveries (call only after your own commit). Batched where the transport can."""
        ...

    def retry(self, delivery: Delivery, *, delay: float, reason: str) -> None:
        """Deliver again after about ``delay`` seconds (back-off); settles this delivery."""
        ...

    def dead_letter(self, delivery: Delivery, *, reason: str) -> None:
        """Move to the queue's dead-letter queue with ``reason`` (no personal data); settles this delivery."""
        ...

    def close(self) -> None:
        """Stop consuming; unsettled deliveries are given back and will be delivered again."""
        ...


@runtime_checkable
class Transport(Protocol):
    """A message transport (see the module docstring for the guarantees)."""

    kind: str
    """``rabbitmq`` or ``local``."""

    def declare(self, topology: Topology) -> None:
        """Create exchanges, queues and bindings; idempotent. Conflicting existing arguments raise
        :class:`~gateway.errors.ConfigurationError` naming the queue."""
        ...

    def publish(self, messages: Sequence[OutgoingMessage], *, timeout: float = 30.0) -> list[PublishOutcome]:
        """Publish mandatory and persistent; one outcome per message, in order (windowed, not one round trip
        each). Waits at most ``timeout`` seconds for confirms; what is not confirmed by then is ``unknown``."""
        ...

    def open_consumer(self, queue: str, *, prefetch: int) -> Consumer:
        """Start consuming ``queue`` with at most ``prefetch`` unsettled deliveries."""
        ...

    def queue_depth(self, queue: str) -> int:
        """Messages ready in ``queue`` (for metrics and tests)."""
        ...

    def check(self) -> None:
        """Raise :class:`~gateway.errors.TransportError` unless the transport can be used now (readiness)."""
        ...

    def close(self) -> None: ...
