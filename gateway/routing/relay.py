"""The relay: publishes the outbox with publisher confirms and marks rows sent only when confirmed.

Each round claims up to ``batch_size`` pending rows (a lease hides them from other relays), publishes them
as one confirm window, marks the confirmed ones sent and releases the rest with a back-off:

* ``unknown`` (connection lost, timeout, resource alarm) -> published again soon; it may have been
  stored, so consumers may see it twice (they deduplicate on the event id);
* ``nacked`` (a full queue) -> again after a longer back-off (the queue drains meanwhile);
* ``returned`` (no queue bound) -> again after a long back-off, with a warning: a topology problem that an
  operator must fix (``ecm-gateway broker setup``); nothing is dropped.

When the broker is down, :meth:`Relay.run` keeps trying with back-off while intake keeps writing to the
outbox; the relay catches up when the broker returns. Events the stores raise themselves (in the
``store_events`` table) are relayed the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from gateway.errors import StorageError, TransportError
from gateway.routing.outbox import Outbox, OutboxRow
from gateway.transport import OutgoingMessage, PublishOutcome, Transport

if TYPE_CHECKING:
    from gateway.routing.metrics import RoutingMetrics
    from gateway.storage import Database
    from gateway.store_events import StoreEventTable

__all__ = ["Relay", "RelayRound"]

log = logging.getLogger(__name__)

_BACKOFF = {"unknown": 1.0, "nacked": 5.0, "returned": 30.0}


@dataclass(frozen=True, slots=True)
class RelayRound:
    claimed: int
    sent: int
    failed: int


@dataclass
class Relay:
    """Outbox -> transport, at least once."""

    outbox: Outbox
    transport: Transport
    batch_size: int = 1000
    confirm_timeout: float = 30.0
    poll_interval: float = 0.2
    metrics: RoutingMetrics | None = None
    store_events: tuple[StoreEventTable, Database] | None = None
    """The stores' own event table and its database, when they raise events there (not into this outbox)."""
    retention: timedelta = timedelta(days=7)
    max_backoff: float = 10.0
    _last_prune: float = field(default=0.0, init=False)

    def run_once(self) -> RelayRound:
        """One confirm window. Raises TransportError when the broker could not be reached at all."""
        rows = self.outbox.claim(self.batch_size, lease=self.confirm_timeout + 30.0)
        if not rows:
            return RelayRound(0, 0, 0)
        started = time.monotonic()
        try:
            outcomes = self.transport.publish([row.outgoing() for row in rows], timeout=self.confirm_timeout)
        except TransportError:
            self.outbox.release([(row.outbox_id, "broker unreachable") for row in rows], backoff=1.0)
            if self.metrics is not None:
                self.metrics.published([PublishOutcome("unknown")] * len(rows), 0.0)
            raise
        self.confirmed(rows, outcomes)
        if self.metrics is not None:
            self.metrics.published(outcomes, time.monotonic() - started)
        sent = sum(1 for outcome in outcomes if outcome.ok)
        return RelayRound(len(rows), sent, len(rows) - sent)

    def confirmed(self, rows: Sequence[OutboxRow], outcomes: Sequence[PublishOutcome]) -> None:
        """Mark confirmed rows sent and release the others (a seam for fault-injection tests)."""
        sent = [row.outbox_id for row, outcome in zip(rows, outcomes, strict=True) if outcome.ok]
        self.outbox.mark_sent(sent)
        failed = [(row, outcome) for row, outcome in zip(rows, outcomes, strict=True) if not outcome.ok]
        for status in ("unknown", "nacked", "returned"):
            group = [
                (row.outbox_id, f"{status}: {outcome.reason or ''}")
                for row, outcome in failed
                if outcome.status == status
            ]
            if group:
                if status == "returned":
                    log.warning("%d outgoing message(s) matched no queue; run: ecm-gateway broker setup", len(group))
                self.outbox.release(group, backoff=_BACKOFF[status])

    def relay_store_events(self) -> int:
        """Publish events the stores raised into their own table; returns how many were confirmed."""
        if self.store_events is None:
            return 0
        table, database = self.store_events
        events = table.pending(database.engine, limit=self.batch_size)
        if not events:
            return 0
        exchange = self.outbox.names.events_exchange
        messages = [
            OutgoingMessage(
                message_id=event.event_id,
                exchange=exchange,
                routing_key=event.routing_key,
                body=event.model_dump_json().encode("utf-8"),
                headers={"kind": event.kind, "version": event.version, "la-code": event.la_code},
            )
            for event in events
        ]
        outcomes = self.transport.publish(messages, timeout=self.confirm_timeout)
        confirmed = [event.event_id for event, outcome in zip(events, outcomes, strict=True) if outcome.ok]
        table.mark_sent(database.engine, confirmed)
        return len(confirmed)

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set, backing off while the broker or database is unavailable."""
        backoff = 0.5
        while not stop.is_set():
            try:
                result = self.run_once()
                self.relay_store_events()
                self._maybe_prune()
            except (TransportError, StorageError) as exc:
                log.warning("relay paused: %s", exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.5
            if result.claimed == 0:
                stop.wait(self.poll_interval)
            elif result.failed:
                stop.wait(min(1.0, self.poll_interval * 5))

    def drain(self, *, timeout: float = 30.0) -> int:
        """Publish until nothing is pending or due (used by the demo and tests); returns rows sent."""
        sent = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.run_once()
            sent += result.sent
            self.relay_store_events()
            if result.claimed == 0:
                break
        return sent

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        pruned = self.outbox.prune(older_than=self.retention)
        if pruned:
            log.info("pruned %d sent outbox rows", pruned)
