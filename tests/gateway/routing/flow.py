"""The whole routing flow around one transport, for tests: intake -> outbox -> relay -> queues -> stores.

Used by the local-transport flow tests and by the acceptance tests against real RabbitMQ, so both check
the same thing: every accepted message's events are in their stores exactly once, and the ledger balances.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from gateway.caf.store import CafStore
from gateway.directory.store import DirectoryStore
from gateway.intake import Intake
from gateway.routing.consumer import ConsumerWorker, DeliveryProcessor, EventProcessor, Handler
from gateway.routing.deadletters import DeadLetterProcessor, DeadLetters
from gateway.routing.ledger import Ledger, compute_ledger
from gateway.routing.outbox import Outbox
from gateway.routing.relay import Relay
from gateway.routing.tables import outbox as outbox_table
from gateway.routing.topology import Names, build_topology
from gateway.storage import Database
from gateway.storage.tables import caf_inbox, directory_children, directory_inbox
from gateway.transport import Topology, Transport
from tests.gateway.routing.support import routed_intake

__all__ = ["Flow", "make_flow"]


@dataclass
class Flow:
    database: Database
    transport: Transport
    names: Names
    topology: Topology
    intake: Intake
    outbox: Outbox
    relay: Relay
    directory: DirectoryStore
    caf: CafStore
    delivery_limit: int
    retry_delays: tuple[float, ...]

    def worker(self, queue: str, processor: DeliveryProcessor, **options: Any) -> ConsumerWorker:
        settings: dict[str, Any] = {
            "prefetch": 200,
            "batch_size": 100,
            "delivery_limit": self.delivery_limit,
            "retry_delays": self.retry_delays,
            "fetch_timeout": 0.2,
        }
        settings.update(options)
        return ConsumerWorker(self.transport, queue, processor, **settings)

    def store_worker(self, store: str, handler: Handler | None = None, **options: Any) -> ConsumerWorker:
        chosen = handler or (self.directory if store == "directory" else self.caf)
        return self.worker(self.names.store_queue(store), EventProcessor(chosen), **options)

    def dead_letters(self) -> DeadLetters:
        return DeadLetters(self.database, self.outbox)

    def collect_dead_letters(self) -> int:
        processor = DeadLetterProcessor(self.dead_letters())
        total = 0
        for spec in self.topology.queues:
            if spec.dead_letter_queue is None:
                total += pump(self.worker(spec.name, processor))
        return total

    def deliver_all(self, *, within: float = 60.0) -> None:
        """Relay everything, then consume both store queues until nothing is left."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.relay.drain(timeout=within)
            moved = pump(self.store_worker("directory")) + pump(self.store_worker("caf"))
            if moved == 0 and self.outbox.stats().pending == 0:
                return
        raise AssertionError("the flow did not settle in time")

    def ledger(self) -> Ledger:
        return compute_ledger(self.database)

    def assert_exactly_once(self) -> None:
        """Every directory and CAF event of the outbox is in its store's inbox (at most once by its key)."""
        with self.database.engine.connect() as conn:
            sent = conn.execute(
                select(outbox_table.c.event_id, outbox_table.c.kind).where(outbox_table.c.sent_at.is_not(None))
            ).all()
            directory_ids = {row.event_id for row in sent if row.kind.startswith("directory.child.")}
            caf_ids = {row.event_id for row in sent if row.kind.startswith("caf.")}
            in_directory = set(conn.execute(select(directory_inbox.c.event_id)).scalars())
            in_caf = set(conn.execute(select(caf_inbox.c.event_id)).scalars())
            assert directory_ids <= in_directory, f"{len(directory_ids - in_directory)} directory events missing"
            assert caf_ids <= in_caf, f"{len(caf_ids - in_caf)} CAF events missing"
            assert conn.execute(select(func.count()).select_from(directory_inbox)).scalar_one() == len(in_directory)

    def children(self) -> int:
        with self.database.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(directory_children)).scalar_one())


def pump(worker: ConsumerWorker, *, idle_rounds: int = 2) -> int:
    """Run a worker's batches on one consumer until it finds nothing ``idle_rounds`` times in a row."""
    consumer = worker.transport.open_consumer(worker.queue, prefetch=worker.prefetch)
    total = idle = 0
    try:
        while idle < idle_rounds:
            handled = worker.step(consumer)
            total += handled
            idle = 0 if handled else idle + 1
    finally:
        consumer.close()
    return total


def make_flow(
    database: Database,
    transport: Transport,
    *,
    prefix: str,
    delivery_limit: int = 3,
    retry_delays: tuple[float, ...] = (0.05, 0.1),
    declare: bool = True,
) -> Flow:
    names = Names(prefix)
    topology = build_topology(names, delivery_limit=delivery_limit, retry_delays=retry_delays)
    if declare:
        transport.declare(topology)
    intake, outbox = routed_intake(database, prefix=prefix)
    return Flow(
        database=database,
        transport=transport,
        names=names,
        topology=topology,
        intake=intake,
        outbox=outbox,
        relay=Relay(outbox, transport, batch_size=500, confirm_timeout=30.0),
        directory=DirectoryStore(database, events=outbox),
        caf=CafStore(database, events=outbox),
        delivery_limit=delivery_limit,
        retry_delays=retry_delays,
    )
