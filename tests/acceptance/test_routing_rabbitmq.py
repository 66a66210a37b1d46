"""Acceptance against real RabbitMQ and PostgreSQL: processes killed at the worst moments lose nothing.

Each test ends with the ledger balanced and every store holding each accepted message's events exactly once.
"""

from __future__ import annotations

import signal
import time

import pika
import pytest
from sqlalchemy import select

from gateway.routing.inbound import InboundProcessor
from gateway.routing.metrics import RoutingMetrics
from gateway.routing.tables import outbox
from tests.acceptance.conftest import actor
from tests.gateway.routing.flow import Flow, pump
from tests.gateway.routing.support import MemoryStore, child, jsonl

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]


def submit(flow: Flow, first: int, count: int, **options: object) -> list[str]:
    ids = []
    for n in range(first, first + count):
        result = flow.intake.submit([("c.jsonl", jsonl([child(n, **options)]))], supplier_id="acme", la_code="201")  # type: ignore[arg-type]
        ids.append(result.message.envelope.message_id)
    return ids


def finish(flow: Flow, children: int) -> None:
    flow.deliver_all()
    assert flow.collect_dead_letters() == 0
    flow.assert_exactly_once()
    assert flow.children() == children
    ledger = flow.ledger()
    assert ledger.balanced, [line.differences for line in ledger.lines]
    total = ledger.totals()
    assert total.received == total.delivered + total.rejected and total.in_flight == 0


def test_a_consumer_killed_between_its_commit_and_its_ack(rabbit_flow: Flow, amqp_url: str) -> None:
    submit(rabbit_flow, 0, 20)
    rabbit_flow.relay.drain()
    killed = actor("consume-die", rabbit_flow, amqp_url, "20")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    committed = int(killed.stdout.split("committed ")[1].split()[0])
    assert committed > 0
    metrics = RoutingMetrics()
    pump(rabbit_flow.store_worker("directory", metrics=metrics))
    redelivered = metrics.redeliveries_total.labels(rabbit_flow.names.directory_queue)._value.get()
    assert redelivered == committed  # every committed-but-unacknowledged event came again ...
    finish(rabbit_flow, 20)  # ... and was applied once


def test_the_gateway_killed_between_its_commit_and_the_publish(rabbit_flow: Flow, amqp_url: str) -> None:
    gateway = actor("submit", rabbit_flow, amqp_url, "10")
    assert gateway.returncode == -signal.SIGKILL and "submitted" in gateway.stdout, gateway.stderr
    line = rabbit_flow.ledger().lines[0]
    assert (line.received, line.in_flight, line.balanced) == (10, 10, True)  # committed, not published
    relay = actor("relay-die", rabbit_flow, amqp_url)
    assert relay.returncode == -signal.SIGKILL and "published 20" in relay.stdout, relay.stderr
    # Confirmed but not marked sent: a restarted relay takes them again once the dead relay's lease ends.
    assert rabbit_flow.outbox.stats().pending == 20
    rabbit_flow.outbox.make_due()  # skip waiting out the lease
    metrics = RoutingMetrics()
    rabbit_flow.relay.drain()
    pump(rabbit_flow.store_worker("directory", metrics=metrics))
    assert metrics.deliveries_total.labels(rabbit_flow.names.directory_queue)._value.get() == 20  # twice each
    finish(rabbit_flow, 10)


def test_a_poison_message_is_dead_lettered_after_its_delivery_limit_then_replayed_once(
    rabbit_flow: Flow, amqp_url: str
) -> None:
    submit(rabbit_flow, 0, 5, caf_consent="none")
    rabbit_flow.relay.drain()
    with rabbit_flow.database.engine.connect() as conn:
        poison = conn.execute(select(outbox.c.event_id).order_by(outbox.c.outbox_id).offset(2).limit(1)).scalar_one()
    dead_queue = rabbit_flow.names.dead_queue(rabbit_flow.names.directory_queue)
    crashes = 0
    while rabbit_flow.transport.queue_depth(dead_queue) == 0 and crashes < 6:
        run = actor("consume-crash", rabbit_flow, amqp_url, poison)
        crashes += run.returncode == -signal.SIGKILL
        time.sleep(0.3)
    assert crashes == rabbit_flow.delivery_limit + 1  # the broker's x-delivery-limit, not ours
    assert rabbit_flow.collect_dead_letters() == 1
    (letter,) = rabbit_flow.dead_letters().list()
    assert (letter.event_id, letter.reason, letter.queue) == (
        poison,
        "delivery_limit",
        rabbit_flow.names.directory_queue,
    )
    assert not rabbit_flow.ledger().balanced  # the dead letter is named ...
    # The fix is deployed (here: consumers that no longer crash); replay puts it back on its queue once.
    assert rabbit_flow.dead_letters().replay([letter.dead_letter_id]) == 1
    finish(rabbit_flow, 5)  # ... and after the replay everything balances
    assert rabbit_flow.dead_letters().list() == []


def test_a_failing_event_is_retried_with_back_off_then_dead_lettered_with_its_reason(rabbit_flow: Flow) -> None:
    submit(rabbit_flow, 0, 3, caf_consent="none")
    rabbit_flow.relay.drain()
    store = MemoryStore()
    consumer = rabbit_flow.transport.open_consumer(rabbit_flow.names.directory_queue, prefetch=10)
    first = consumer.fetch(10, timeout=5)
    poison = first[0].message_id
    consumer.close()
    store.fail_on = {poison}
    worker = rabbit_flow.store_worker("directory", store)
    dead_queue = rabbit_flow.names.dead_queue(rabbit_flow.names.directory_queue)
    deadline = time.monotonic() + 30
    while rabbit_flow.transport.queue_depth(dead_queue) == 0 and time.monotonic() < deadline:
        pump(worker)
    assert rabbit_flow.collect_dead_letters() == 1
    (letter,) = rabbit_flow.dead_letters().list()
    assert letter.reason.startswith("failed 3 times (delivery limit 2): RuntimeError")
    store.fail_on = set()
    rabbit_flow.dead_letters().replay([letter.dead_letter_id])
    rabbit_flow.relay.drain()
    pump(worker)
    assert len(store.applied) == 3 and set(store.applied.values()) == {1}
    assert rabbit_flow.ledger().balanced


def test_a_supplier_publishing_over_amqp_is_received_once_and_must_be_who_it_says(
    rabbit_flow: Flow, amqp_url: str
) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    user = pika.URLParameters(amqp_url).credentials.username
    body = jsonl([child(1, caf_consent="none")])
    for message_id, supplier in (("s-1", user), ("s-1", user), ("s-2", "someone-else")):
        channel.basic_publish(
            rabbit_flow.names.inbound_exchange,
            "",
            body,
            pika.BasicProperties(
                message_id=message_id,
                user_id=user,  # RabbitMQ refuses a user_id that is not the connection's login
                delivery_mode=2,
                headers={"supplier": supplier, "la-code": "201", "format": "canonical-jsonl", "file-name": "c.jsonl"},
            ),
            mandatory=True,
        )
    connection.close()
    worker = rabbit_flow.worker(rabbit_flow.names.inbound_queue, InboundProcessor(rabbit_flow.intake))
    assert pump(worker) == 3
    assert rabbit_flow.intake.store.status("s-1") == "accepted"
    assert rabbit_flow.intake.store.status("s-2") is None
    assert rabbit_flow.collect_dead_letters() == 1
    (letter,) = rabbit_flow.dead_letters().list()
    assert letter.reason == "header supplier does not match the authenticated AMQP user"
    finish(rabbit_flow, 1)
