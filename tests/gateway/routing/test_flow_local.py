"""The routing flow end to end on the local transport (SQLite and PostgreSQL), with #7's stores."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from adapters.transports.local import LocalTransport
from gateway.routing.consumer import EventProcessor, Outage
from gateway.routing.inbound import InboundProcessor
from gateway.routing.tables import outbox
from gateway.storage import Database
from gateway.transport import Delivery, OutgoingMessage
from tests.gateway.routing.flow import Flow, make_flow, pump
from tests.gateway.routing.support import MemoryStore, child, jsonl


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    transport = LocalTransport(database, visibility_timeout=30, poll_interval=0.02)
    yield make_flow(database, transport, prefix="ecm")


def submit(flow: Flow, first: int, count: int, *, message_id: str | None = None, **options: object) -> str:
    records = [child(n, **options) for n in range(first, first + count)]  # type: ignore[arg-type]
    result = flow.intake.submit([("c.jsonl", jsonl(records))], supplier_id="acme", la_code="201", message_id=message_id)
    return result.message.envelope.message_id


def test_accepted_messages_reach_both_stores_exactly_once_and_the_ledger_balances(flow: Flow) -> None:
    for batch in range(4):
        submit(flow, batch * 5, 5)
    flow.intake.submit([("bad.jsonl", b"{not json\n")], supplier_id="acme", la_code="201")
    assert flow.ledger().lines[0].in_flight == 5
    flow.deliver_all()
    flow.assert_exactly_once()
    assert flow.children() == 20
    line = flow.ledger().lines[0]
    assert (line.received, line.delivered, line.rejected, line.in_flight, line.balanced) == (5, 4, 1, 0, True)


def test_a_consumer_dying_between_commit_and_ack_causes_a_harmless_redelivery(flow: Flow) -> None:
    submit(flow, 0, 3, caf_consent="none")
    flow.relay.drain()
    consumer = flow.transport.open_consumer(flow.names.directory_queue, prefetch=10)
    deliveries = consumer.fetch(10, timeout=1)
    assert len(deliveries) == 3
    EventProcessor(flow.directory).process(deliveries)  # committed ...
    consumer.close()  # ... and the process dies before acknowledging
    results: list[str] = []
    original = flow.directory.apply_batch

    def spy(events, **kw):  # type: ignore[no-untyped-def]
        out = original(events, **kw)
        results.extend(r.outcome for r in out)
        return out

    flow.directory.apply_batch = spy  # type: ignore[method-assign]
    assert pump(flow.store_worker("directory")) == 3
    assert results == ["duplicate"] * 3
    flow.assert_exactly_once()
    assert flow.ledger().balanced


def test_a_poison_event_is_retried_then_dead_lettered_then_replayed_once_after_the_fix(flow: Flow) -> None:
    message_id = submit(flow, 0, 3, caf_consent="none")
    flow.relay.drain()
    store = MemoryStore()
    with flow.database.engine.connect() as conn:
        event_ids = list(conn.execute(select(outbox.c.event_id).order_by(outbox.c.outbox_id)).scalars())
    store.fail_on = {event_ids[1]}
    worker = flow.store_worker("directory", store)
    deadline = time.monotonic() + 20
    while (
        time.monotonic() < deadline
        and flow.transport.queue_depth(flow.names.dead_queue(flow.names.directory_queue)) == 0
    ):
        pump(worker)
    assert set(store.state) and event_ids[1] not in store.inbox
    assert flow.collect_dead_letters() == 1
    (letter,) = flow.dead_letters().list()
    assert letter.event_id == event_ids[1] and letter.message_id == message_id
    assert "failed 4 times (delivery limit 3): RuntimeError" in letter.reason
    ledger = flow.ledger()
    assert not ledger.balanced and "dead-lettered" in ledger.lines[0].differences[0]
    store.fail_on = set()  # the fix
    assert flow.dead_letters().replay([letter.dead_letter_id]) == 1
    flow.relay.drain()
    pump(worker)
    assert store.applied == {event_id: 1 for event_id in event_ids}
    assert flow.dead_letters().list() == []
    assert flow.ledger().balanced


def test_an_event_the_store_rejects_is_dead_lettered_with_the_stores_reason(flow: Flow) -> None:
    submit(flow, 0, 1, caf_consent="none")
    flow.relay.drain()
    pump(flow.store_worker("caf", flow.directory))  # nothing for CAF; the queue is empty
    # Route a directory event to the CAF store: it is not for that store.
    consumer = flow.transport.open_consumer(flow.names.directory_queue, prefetch=5)
    (delivery,) = consumer.fetch(5, timeout=1)
    worker = flow.store_worker("directory", flow.caf)
    worker.settle(consumer, [delivery], EventProcessor(flow.caf).process([delivery]))
    consumer.close()
    flow.collect_dead_letters()
    (letter,) = flow.dead_letters().list()
    assert letter.reason.startswith("rejected by the store: event kind directory.child.upsert is not for the CAF")


def test_an_undecodable_delivery_is_dead_lettered_not_retried(flow: Flow) -> None:
    verdicts = EventProcessor(MemoryStore()).process(
        [Delivery("q", "x", "", "k", b"\xff not json", {}, None, 1, tag=1)]
    )
    assert [(v.action, v.reason) for v in verdicts] == [("dead", "undecodable: not a gateway event")]


def test_while_the_store_is_down_nothing_is_settled_and_the_batch_is_applied_later(flow: Flow) -> None:
    submit(flow, 0, 2, caf_consent="none")
    flow.relay.drain()
    store = MemoryStore()
    calls = {"n": 0}
    apply = store.apply_batch

    def flaky(events):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= 2:
            raise ConnectionError("database restarting")
        return apply(events)

    store.apply_batch = flaky  # type: ignore[method-assign]
    processor = EventProcessor(store, healthy=lambda: calls["n"] > 2)
    worker = flow.worker(flow.names.directory_queue, processor, max_backoff=0.05)
    assert pump(worker) == 2
    assert calls["n"] == 3  # the same batch, applied whole once the store answered again
    assert len(store.applied) == 2
    assert flow.transport.queue_depth(flow.names.dead_queue(flow.names.directory_queue)) == 0


def test_an_unhealthy_store_raises_an_outage_instead_of_a_verdict() -> None:
    store = MemoryStore()
    store.fail_on = {"e"}
    event = b'{"event_id":"e","kind":"directory.child.purge","subject":"s","version":1,"la_code":"201",'
    event += b'"message_id":"m","occurred_at":"2026-01-01T00:00:00Z","payload":{}}'
    delivery = Delivery("q", "e", "", "k", event, {}, None, 1, tag=1)
    with pytest.raises(Outage):
        EventProcessor(store, healthy=lambda: False).process([delivery])
    assert EventProcessor(store).process([delivery])[0].action == "retry"


def test_an_unroutable_event_stays_in_the_outbox_until_a_queue_is_bound(database: Database) -> None:
    transport = LocalTransport(database, visibility_timeout=30, poll_interval=0.02)
    flow = make_flow(database, transport, prefix="late", declare=False)
    submit(flow, 0, 1, caf_consent="none")
    assert flow.relay.run_once().failed == 1
    assert flow.outbox.stats().pending == 1
    transport.declare(flow.topology)
    assert flow.relay.run_once().claimed == 0  # backing off after the return ...
    assert flow.outbox.make_due() == 1  # ... until the operator says the topology is fixed
    flow.deliver_all()
    flow.assert_exactly_once()
    assert flow.ledger().balanced


def _raw(names_exchange: str, body: bytes, message_id: str, **headers: str) -> OutgoingMessage:
    return OutgoingMessage(message_id=message_id, exchange=names_exchange, routing_key="", body=body, headers=headers)


def test_suppliers_publishing_over_amqp_are_received_processed_and_routed_once(flow: Flow) -> None:
    body = jsonl([child(1, caf_consent="none"), child(2, caf_consent="none")])
    exchange = flow.names.inbound_exchange
    outcomes = flow.transport.publish(
        [
            _raw(exchange, body, "amqp-1", supplier="acme", **{"la-code": "201", "format": "canonical-jsonl"}),
            _raw(exchange, body, "amqp-1", supplier="acme", **{"la-code": "201", "format": "canonical-jsonl"}),
            _raw(exchange, body, "amqp-2", **{"la-code": "201"}),
        ]
    )
    assert all(outcome.ok for outcome in outcomes)
    worker = flow.worker(flow.names.inbound_queue, InboundProcessor(flow.intake))
    assert pump(worker) == 3
    assert flow.intake.store.status("amqp-1") == "accepted"
    assert flow.intake.store.status("amqp-2") is None  # no supplier: never received, dead-lettered instead
    flow.collect_dead_letters()
    (letter,) = flow.dead_letters().list()
    assert (letter.queue, letter.reason) == (flow.names.inbound_queue, "missing header: supplier")
    flow.deliver_all()
    flow.assert_exactly_once()
    assert flow.children() == 2
    line = flow.ledger().lines[0]
    assert (line.received, line.delivered, line.balanced) == (1, 1, True)  # the copy changed nothing
