"""Consumers: fetch a batch, apply it in one transaction, acknowledge only after the commit.

:class:`ConsumerWorker` is generic: it fetches up to ``batch_size`` deliveries (at most ``prefetch``
outstanding), hands them to a :class:`DeliveryProcessor` and settles each as the processor says — the
acknowledgements of a batch go out together *after* the processor's commit; a failed delivery is retried
with back-off (``retry_delays``) and dead-lettered with its reason once it has been tried more than
``delivery_limit`` times.

:class:`EventProcessor` adapts a store (a :class:`Handler`, e.g. ``gateway.directory.DirectoryStore``)
to that: it decodes the events, applies the whole batch in the store's transaction (the store keeps its
inbox of processed event ids and per-subject versions in that same transaction), and

* ``applied`` / ``duplicate`` / ``stale`` -> acknowledge;
* ``rejected`` (not for this store, invalid payload) -> dead-letter with the store's reason;
* an exception while the store's database answers -> the batch is split to find the event that fails,
  which is retried and eventually dead-lettered (a poison message); the others are applied;
* an exception while the store's database does *not* answer -> an outage: nothing is settled, the batch
  is applied again after a back-off, and nothing is dead-lettered for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import ValidationError

from gateway.errors import GatewayError, TransportError
from gateway.events import Event
from gateway.transport import Consumer, Delivery, Transport

if TYPE_CHECKING:
    from gateway.routing.metrics import RoutingMetrics

__all__ = [
    "ConsumerWorker",
    "DeliveryProcessor",
    "EventProcessor",
    "Handler",
    "HandlerResult",
    "Outage",
    "Verdict",
]

log = logging.getLogger(__name__)


class HandlerResult(Protocol):
    """What applying one event did (``gateway.inbox.ApplyResult`` has this shape)."""

    @property
    def outcome(self) -> str: ...

    @property
    def reason(self) -> str | None: ...


class Handler(Protocol):
    """A store: applies a batch of events in ONE transaction, with its inbox and per-subject versions.

    Returns one result per event, in order. Raises (e.g. :class:`~gateway.errors.StorageError`) when the
    transaction failed; then nothing of the batch was kept.
    """

    def apply_batch(self, events: Sequence[Event]) -> Sequence[HandlerResult]: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """How to settle one delivery."""

    action: Literal["ack", "retry", "dead"]
    reason: str | None = None


ACK = Verdict("ack")


class Outage(GatewayError):
    """The processor's own database is unavailable: settle nothing, try the same batch again later."""


class DeliveryProcessor(Protocol):
    """Processes a batch of deliveries (committing its own work) and says how to settle each one."""

    def process(self, deliveries: Sequence[Delivery]) -> list[Verdict]: ...


def failure_reason(exc: BaseException) -> str:
    """A reason for a failure with no personal data: our own errors' messages, else only the type."""
    if isinstance(exc, GatewayError):
        return f"{type(exc).__name__}: {exc}"[:300]
    return type(exc).__name__


class EventProcessor:
    """Applies event deliveries to a :class:`Handler` (see the module docstring)."""

    def __init__(self, handler: Handler, *, healthy: Callable[[], bool] | None = None) -> None:
        self.handler = handler
        self.healthy = healthy or (lambda: True)

    def process(self, deliveries: Sequence[Delivery]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(deliveries)
        decoded: list[tuple[int, Event]] = []
        for index, delivery in enumerate(deliveries):
            try:
                decoded.append((index, Event.model_validate_json(delivery.body)))
            except ValidationError:
                verdicts[index] = Verdict("dead", "undecodable: not a gateway event")
        self._apply(decoded, verdicts)
        return [verdict or ACK for verdict in verdicts]

    def _apply(self, items: list[tuple[int, Event]], verdicts: list[Verdict | None]) -> None:
        if not items:
            return
        try:
            results = self.handler.apply_batch([event for _, event in items])
        except Exception as exc:
            if not self.healthy():
                raise Outage(f"the store is unavailable ({type(exc).__name__})") from exc
            if len(items) == 1:
                verdicts[items[0][0]] = Verdict("retry", failure_reason(exc))
                return
            middle = len(items) // 2
            self._apply(items[:middle], verdicts)
            self._apply(items[middle:], verdicts)
            return
        for (index, _), result in zip(items, results, strict=True):
            if result.outcome == "rejected":
                verdicts[index] = Verdict("dead", f"rejected by the store: {result.reason or 'no reason given'}")


@dataclass
class ConsumerWorker:
    """Consumes one queue until stopped (a thread or a process), reconnecting after transport failures."""

    transport: Transport
    queue: str
    processor: DeliveryProcessor
    prefetch: int = 500
    batch_size: int = 200
    delivery_limit: int = 5
    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0)
    fetch_timeout: float = 0.5
    metrics: RoutingMetrics | None = None
    max_backoff: float = 10.0

    def run(self, stop: threading.Event) -> None:
        """Fetch, process and settle until ``stop`` is set; then finish the batch in hand and close."""
        consumer: Consumer | None = None
        backoff = 0.5
        try:
            while not stop.is_set():
                try:
                    if consumer is None:
                        consumer = self.transport.open_consumer(self.queue, prefetch=self.prefetch)
                        log.info("consuming", extra={"queue": self.queue})
                    self.step(consumer, stop)
                    backoff = 0.5
                except TransportError as exc:
                    log.warning("transport failed; reconnecting: %s", exc, extra={"queue": self.queue})
                    if consumer is not None:
                        consumer.close()
                        consumer = None
                    stop.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
        finally:
            if consumer is not None:
                consumer.close()

    def step(self, consumer: Consumer, stop: threading.Event | None = None) -> int:
        """One batch: fetch, process (retrying through an outage), settle. Returns deliveries handled."""
        deliveries = consumer.fetch(self.batch_size, timeout=self.fetch_timeout)
        if not deliveries:
            return 0
        started = time.monotonic()
        pause = 0.5
        while True:
            try:
                verdicts = self.processor.process(deliveries)
                break
            except Outage as exc:
                log.warning("%s; holding %d deliveries", exc, len(deliveries), extra={"queue": self.queue})
                if stop is not None and stop.is_set():
                    return 0  # closing gives them back; they are delivered again
                consumer.fetch(0, timeout=pause)  # keeps the connection alive while waiting
                pause = min(pause * 2, self.max_backoff)
        actions = self.settle(consumer, deliveries, verdicts)
        if self.metrics is not None:
            self.metrics.consumed(self.queue, deliveries, actions, time.monotonic() - started)
        return len(deliveries)

    def settle(self, consumer: Consumer, deliveries: Sequence[Delivery], verdicts: Sequence[Verdict]) -> list[str]:
        """Retry or dead-letter the failures, then acknowledge the rest in one go; returns what was done."""
        acks: list[Delivery] = []
        actions: list[str] = []
        for delivery, verdict in zip(deliveries, verdicts, strict=True):
            if verdict.action == "ack":
                acks.append(delivery)
                actions.append("ack")
                continue
            reason = verdict.reason or "no reason given"
            if verdict.action == "retry" and delivery.attempt <= self.delivery_limit:
                delay = self.retry_delays[min(delivery.attempt, len(self.retry_delays)) - 1]
                log.warning(
                    "delivery failed; retrying in %.1f s: %s",
                    delay,
                    reason,
                    extra={"queue": self.queue, "attempt": delivery.attempt},
                )
                consumer.retry(delivery, delay=delay, reason=reason)
                actions.append("retry")
                continue
            if verdict.action == "retry":
                reason = f"failed {delivery.attempt} times (delivery limit {self.delivery_limit}): {reason}"
            log.error("dead-lettered: %s", reason, extra={"queue": self.queue, "attempt": delivery.attempt})
            consumer.dead_letter(delivery, reason=reason)
            actions.append("dead")
        consumer.ack(acks)
        return actions
