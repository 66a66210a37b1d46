"""Prometheus metrics for routing (prometheus-client). Imported only by composition roots, never by
``import gateway``.

=====================================  =======  ====================================================
metric                                 type     meaning
=====================================  =======  ====================================================
``ecm_publish_total{outcome}``         counter  outbox rows published: confirmed/returned/nacked/unknown
``ecm_publish_window_seconds``         histo    one confirm window (publish to last confirm)
``ecm_outbox_pending``                 gauge    outbox rows not yet confirmed
``ecm_outbox_lag_seconds``             gauge    age of the oldest unconfirmed outbox row
``ecm_deliveries_total{queue}``        counter  deliveries consumed
``ecm_redeliveries_total{queue}``      counter  deliveries seen before (attempt > 1)
``ecm_settled_total{queue,action}``    counter  ack / retry / dead
``ecm_dead_letters_total{queue}``      counter  messages this process dead-lettered
``ecm_consumer_batch_seconds{queue}``  histo    fetch-to-settle time of a batch
``ecm_queue_depth{queue}``             gauge    messages ready in each queue
``ecm_dead_letters_open``              gauge    collected dead letters not yet replayed
=====================================  =======  ====================================================
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server

from gateway.errors import GatewayError
from gateway.routing.deadletters import DeadLetters
from gateway.routing.outbox import Outbox
from gateway.transport import Delivery, PublishOutcome, Transport

__all__ = ["RoutingMetrics"]

log = logging.getLogger(__name__)


class RoutingMetrics:
    """The routing metrics, on their own registry (so several instances never collide in one process)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.publish_total = Counter("ecm_publish_total", "Outbox rows published, by outcome", ["outcome"], registry=r)
        self.publish_seconds = Histogram("ecm_publish_window_seconds", "Duration of one confirm window", registry=r)
        self.outbox_pending = Gauge("ecm_outbox_pending", "Outbox rows not yet confirmed", registry=r)
        self.outbox_lag = Gauge("ecm_outbox_lag_seconds", "Age of the oldest unconfirmed outbox row", registry=r)
        self.deliveries_total = Counter("ecm_deliveries_total", "Deliveries consumed", ["queue"], registry=r)
        self.redeliveries_total = Counter(
            "ecm_redeliveries_total", "Deliveries seen before (attempt > 1)", ["queue"], registry=r
        )
        self.settled_total = Counter("ecm_settled_total", "Deliveries settled", ["queue", "action"], registry=r)
        self.dead_letters_total = Counter(
            "ecm_dead_letters_total", "Messages dead-lettered by this process", ["queue"], registry=r
        )
        self.batch_seconds = Histogram("ecm_consumer_batch_seconds", "Consumer batch duration", ["queue"], registry=r)
        self.queue_depth = Gauge("ecm_queue_depth", "Messages ready in the queue", ["queue"], registry=r)
        self.dead_letters_open = Gauge("ecm_dead_letters_open", "Dead letters not yet replayed", registry=r)

    def published(self, outcomes: Sequence[PublishOutcome], seconds: float) -> None:
        for outcome in outcomes:
            self.publish_total.labels(outcome.status).inc()
        if seconds:
            self.publish_seconds.observe(seconds)

    def consumed(self, queue: str, deliveries: Sequence[Delivery], actions: Sequence[str], seconds: float) -> None:
        self.deliveries_total.labels(queue).inc(len(deliveries))
        redelivered = sum(1 for delivery in deliveries if delivery.attempt > 1)
        if redelivered:
            self.redeliveries_total.labels(queue).inc(redelivered)
        for action in actions:
            self.settled_total.labels(queue, action).inc()
            if action == "dead":
                self.dead_letters_total.labels(queue).inc()
        self.batch_seconds.labels(queue).observe(seconds)

    def observe(
        self,
        *,
        outbox: Outbox | None = None,
        transport: Transport | None = None,
        queues: Iterable[str] = (),
        dead_letters: DeadLetters | None = None,
    ) -> None:
        """Refresh the gauges (outbox lag, queue depths, open dead letters); failures are logged, not raised."""
        try:
            if outbox is not None:
                stats = outbox.stats()
                self.outbox_pending.set(stats.pending)
                self.outbox_lag.set(stats.oldest_pending_age)
            if transport is not None:
                for queue in queues:
                    self.queue_depth.labels(queue).set(transport.queue_depth(queue))
            if dead_letters is not None:
                self.dead_letters_open.set(sum(dead_letters.open_by_message().values()))
        except GatewayError as exc:
            log.warning("metrics not refreshed: %s", exc)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format (what ``/metrics`` serves)."""
        return generate_latest(self.registry)

    def serve(self, port: int, address: str = "127.0.0.1") -> None:
        """Serve ``/metrics`` on ``address:port`` from a background thread (for the worker processes)."""
        start_http_server(port, addr=address, registry=self.registry)
