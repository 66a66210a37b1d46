"""One behaviour suite for every transport: the local transport (SQLite and PostgreSQL) and real RabbitMQ.

Each test declares its own topology under a fresh prefix and removes it afterwards, so tests do not see
each other's messages on the shared broker.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from adapters.transports.local import LocalTransport
from adapters.transports.rabbitmq import RabbitMQTransport
from gateway.errors import ConfigurationError
from gateway.routing.topology import Names, build_topology
from gateway.storage import open_database
from gateway.transport import (
    DEAD_QUEUE_HEADER,
    DEAD_REASON_HEADER,
    Consumer,
    Delivery,
    OutgoingMessage,
    Topology,
    Transport,
)
from tests.adapters.transports.brokers import delete_topology, postgres_schema_url

T = TypeVar("T")
LIMIT = 2


@pytest.fixture(
    params=[
        "local-sqlite",
        pytest.param("local-postgres", marks=pytest.mark.postgres),
        pytest.param("rabbitmq", marks=pytest.mark.rabbitmq),
    ]
)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def names() -> Names:
    return Names(prefix=f"t{uuid.uuid4().hex[:10]}")


@pytest.fixture
def topology(names: Names) -> Topology:
    return build_topology(names, delivery_limit=LIMIT, retry_delays=(0.2, 0.5))


@pytest.fixture
def transport(kind: str, request: pytest.FixtureRequest, tmp_path: Path, topology: Topology) -> Iterator[Transport]:
    if kind == "rabbitmq":
        url: str = request.getfixturevalue("amqp_url")
        rabbit = RabbitMQTransport(url)
        try:
            yield rabbit
        finally:
            rabbit.close()
            delete_topology(url, topology)
        return
    if kind == "local-postgres":
        with postgres_schema_url(request.getfixturevalue("postgres_url")) as url:
            database = open_database(url)
            try:
                yield LocalTransport(database, visibility_timeout=30, poll_interval=0.02)
            finally:
                database.dispose()
        return
    database = open_database(f"sqlite:///{tmp_path / 'transport.sqlite3'}")
    try:
        yield LocalTransport(database, visibility_timeout=30, poll_interval=0.02)
    finally:
        database.dispose()


@pytest.fixture
def declared(transport: Transport, topology: Topology) -> Transport:
    transport.declare(topology)
    return transport


def eventually(probe: Callable[[], T | None], *, within: float = 15.0) -> T:
    """Poll ``probe`` until it returns something truthy (brokers settle asynchronously)."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def event(names: Names, key: str, n: int = 0, body: bytes = b"{}") -> OutgoingMessage:
    return OutgoingMessage(
        message_id=f"e-{n}",
        exchange=names.events_exchange,
        routing_key=key,
        body=body,
        headers={"kind": key.rsplit(".", 1)[0], "n": n},
    )


def drain(consumer: Consumer, count: int, *, within: float = 15.0) -> list[Delivery]:
    got: list[Delivery] = []
    deadline = time.monotonic() + within
    while len(got) < count and time.monotonic() < deadline:
        got.extend(consumer.fetch(count - len(got), timeout=0.5))
    return got


def test_a_routed_message_is_confirmed_and_delivered_once_with_its_properties(
    declared: Transport, names: Names
) -> None:
    outcomes = declared.publish([event(names, "directory.child.upsert.201", 1, b'{"x": 1}')])
    assert [o.status for o in outcomes] == ["confirmed"]
    consumer = declared.open_consumer(names.directory_queue, prefetch=10)
    try:
        (delivery,) = drain(consumer, 1)
        assert (delivery.message_id, delivery.body, delivery.attempt) == ("e-1", b'{"x": 1}', 1)
        assert delivery.headers["n"] == 1
        assert delivery.routing_key == "directory.child.upsert.201"
        consumer.ack([delivery])
        assert consumer.fetch(10, timeout=0.3) == []
    finally:
        consumer.close()


def test_topic_routing_sends_each_kind_to_its_queue_only(declared: Transport, names: Names) -> None:
    batch = [
        event(names, "directory.child.upsert.201", 1),
        event(names, "caf.assessment.upsert.201", 2),
        event(names, "message.rejected.202", 3),
        event(names, "directory.child.purge.202", 4),
    ]
    assert all(o.ok for o in declared.publish(batch))
    expected = {names.directory_queue: {"e-1", "e-4"}, names.caf_queue: {"e-2"}, names.rejected_queue: {"e-3"}}
    for queue, ids in expected.items():
        consumer = declared.open_consumer(queue, prefetch=10)
        try:
            got = drain(consumer, len(ids))
            assert {d.message_id for d in got} == ids
            consumer.ack(got)
            assert consumer.fetch(10, timeout=0.2) == []
        finally:
            consumer.close()


def test_an_unroutable_message_is_returned_not_dropped(declared: Transport, names: Names) -> None:
    outcomes = declared.publish([event(names, "nobody.listens.201", 1), event(names, "caf.assessment.upsert.201", 2)])
    assert [o.status for o in outcomes] == ["returned", "confirmed"]
    assert outcomes[0].reason


def test_declaring_twice_is_harmless_and_conflicting_arguments_are_refused(
    declared: Transport, names: Names, topology: Topology
) -> None:
    declared.declare(topology)
    changed = build_topology(names, delivery_limit=LIMIT + 3, retry_delays=(0.2, 0.5))
    with pytest.raises(ConfigurationError):
        declared.declare(changed)


def test_a_delivery_not_acknowledged_comes_back_with_a_higher_attempt(declared: Transport, names: Names) -> None:
    declared.publish([event(names, "directory.child.upsert.201", 7)])
    first = declared.open_consumer(names.directory_queue, prefetch=5)
    assert len(drain(first, 1)) == 1
    first.close()  # dies without acknowledging
    second = declared.open_consumer(names.directory_queue, prefetch=5)
    try:
        (again,) = drain(second, 1)
        assert (again.message_id, again.attempt) == ("e-7", 2)
        second.ack([again])
    finally:
        second.close()


def test_a_message_given_back_more_than_the_delivery_limit_is_dead_lettered(declared: Transport, names: Names) -> None:
    declared.publish([event(names, "directory.child.upsert.201", 9)])
    attempts = []
    for _ in range(LIMIT + 3):
        consumer = declared.open_consumer(names.directory_queue, prefetch=1)
        got = consumer.fetch(1, timeout=1.5)
        attempts.extend(d.attempt for d in got)
        consumer.close()
        if not got:
            break
    assert attempts == list(range(1, LIMIT + 2))
    dead = declared.open_consumer(names.dead_queue(names.directory_queue), prefetch=5)
    try:
        (letter,) = drain(dead, 1)
        assert letter.message_id == "e-9"
        reason = letter.headers.get(DEAD_REASON_HEADER) or letter.headers["x-death"][0]["reason"]
        assert reason == "delivery_limit"
        dead.ack([letter])
    finally:
        dead.close()


def test_dead_letter_carries_the_reason_and_the_origin_queue(declared: Transport, names: Names) -> None:
    declared.publish([event(names, "caf.assessment.upsert.201", 3, b"not json")])
    consumer = declared.open_consumer(names.caf_queue, prefetch=5)
    try:
        (delivery,) = drain(consumer, 1)
        consumer.dead_letter(delivery, reason="undecodable event")
        assert consumer.fetch(5, timeout=0.3) == []
    finally:
        consumer.close()
    dead = declared.open_consumer(names.dead_queue(names.caf_queue), prefetch=5)
    try:
        (letter,) = drain(dead, 1)
        assert letter.body == b"not json"
        assert letter.headers[DEAD_REASON_HEADER] == "undecodable event"
        assert letter.headers[DEAD_QUEUE_HEADER] == names.caf_queue
        dead.ack([letter])
    finally:
        dead.close()


def test_retry_delivers_again_later_with_the_attempt_counted(declared: Transport, names: Names) -> None:
    declared.publish([event(names, "directory.child.upsert.201", 5)])
    consumer = declared.open_consumer(names.directory_queue, prefetch=5)
    try:
        (delivery,) = drain(consumer, 1)
        consumer.retry(delivery, delay=0.2, reason="store busy")
        (again,) = drain(consumer, 1)
        assert (again.message_id, again.attempt) == ("e-5", 2)
        consumer.retry(again, delay=0.5, reason="store busy")
        (third,) = drain(consumer, 1)
        assert third.attempt == 3
        consumer.ack([third])
    finally:
        consumer.close()


def test_prefetch_bounds_unacknowledged_deliveries(declared: Transport, names: Names) -> None:
    assert all(o.ok for o in declared.publish([event(names, "directory.child.upsert.201", n) for n in range(10)]))
    consumer = declared.open_consumer(names.directory_queue, prefetch=3)
    try:
        time.sleep(0.3)  # let a broker push everything it is allowed to
        first = drain(consumer, 3)
        assert len(first) == 3
        assert consumer.fetch(10, timeout=0.5) == []
        consumer.ack(first)  # frees exactly the room it held: three more, and again no more than three
        second = drain(consumer, 3)
        assert len(second) == 3
        assert consumer.fetch(10, timeout=0.5) == []
        consumer.ack(second)
        seen = [d.message_id for d in first + second]
        while len(seen) < 10:
            held = consumer.fetch(10, timeout=5)
            assert held, "stalled: acknowledged deliveries did not make room for the rest"
            assert len(held) <= 3
            seen += [d.message_id for d in held]
            consumer.ack(held)
        assert seen == [f"e-{n}" for n in range(10)]  # every message once, in order: none lost by the bound
    finally:
        consumer.close()


def test_a_large_batch_is_confirmed_and_consumed_in_order_with_batched_acks(declared: Transport, names: Names) -> None:
    batch = [event(names, "directory.child.upsert.201", n) for n in range(600)]
    outcomes = declared.publish(batch, timeout=60)
    assert all(o.ok for o in outcomes)
    eventually(lambda: declared.queue_depth(names.directory_queue) == 600)
    consumer = declared.open_consumer(names.directory_queue, prefetch=200)
    seen: list[str] = []
    try:
        while len(seen) < 600:
            got = consumer.fetch(100, timeout=5)
            assert got, "stalled"
            seen.extend(d.message_id for d in got)
            consumer.ack(got)
    finally:
        consumer.close()
    assert seen == [f"e-{n}" for n in range(600)]
    assert eventually(lambda: declared.queue_depth(names.directory_queue) == 0 or None) is True


def test_a_full_queue_refuses_publishes_instead_of_dropping(transport: Transport, names: Names) -> None:
    bounded = build_topology(names, delivery_limit=LIMIT, retry_delays=(0.2,), max_length=2)
    transport.declare(bounded)
    first = transport.publish([event(names, "caf.assessment.upsert.201", n) for n in range(2)])
    assert [o.status for o in first] == ["confirmed", "confirmed"]
    eventually(lambda: transport.queue_depth(names.caf_queue) == 2)
    # RabbitMQ applies a quorum queue's bound a little late, so a refusal may take a publish or two.
    later = [transport.publish([event(names, "caf.assessment.upsert.201", n)])[0] for n in range(2, 6)]
    assert later[-1].status == "nacked"
    confirmed = 2 + sum(1 for outcome in later if outcome.ok)
    assert transport.queue_depth(names.caf_queue) == confirmed  # refused, never silently dropped


def test_fetching_nothing_waits_and_keeps_what_is_held(declared: Transport, names: Names) -> None:
    declared.publish([event(names, "directory.child.upsert.201", n) for n in range(3)])
    consumer = declared.open_consumer(names.directory_queue, prefetch=10)
    try:
        held = drain(consumer, 1)
        started = time.monotonic()
        assert consumer.fetch(0, timeout=0.3) == []
        assert time.monotonic() - started >= 0.25  # it waited (a consumer riding out an outage)
        consumer.ack(held + drain(consumer, 2))
    finally:
        consumer.close()
