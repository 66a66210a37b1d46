"""The broker killed (``kill -9``) while 10,000 messages flow, and stopped for a minute while suppliers keep
submitting: nothing confirmed is lost, nothing is applied twice, the ledger balances.

These tests stop the shared broker, so they are collected last (``broker_faults``, see conftest.py) and
restore it with ``scripts/services up`` however they end. They need root (the broker runs as root-started
``rabbitmq-server -detached``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pika
import pika.exceptions
import pytest
from sqlalchemy import func, select

from gateway.routing.readiness import readiness
from gateway.routing.workers import run_until_stopped
from gateway.storage.tables import caf_inbox, directory_inbox
from tests.acceptance.conftest import ROOT, flow_on_rabbitmq
from tests.adapters.transports.brokers import delete_topology
from tests.gateway.routing.flow import Flow
from tests.gateway.routing.support import child, jsonl
from tests.services_plugin import service_unavailable

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.broker_faults]

PIDFILE = Path("/var/lib/rabbitmq/mnesia/rabbit@localhost.pid")
OUTAGE_SECONDS = float(os.environ.get("ECM_FAULT_OUTAGE_SECONDS", "60"))


def broker_answers(url: str) -> bool:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 2
    try:
        pika.BlockingConnection(params).close()
    except (pika.exceptions.AMQPError, OSError):
        return False
    return True


def start_broker() -> None:
    subprocess.run([str(ROOT / "scripts" / "services"), "up"], check=True, capture_output=True, timeout=300)


@pytest.fixture
def broker(amqp_url: str) -> Iterator[str]:
    """The broker's AMQP URL; whatever happens in the test, it is running again afterwards."""
    if os.geteuid() != 0 or not PIDFILE.exists():
        service_unavailable("the broker-fault tests need root and the broker started by scripts/services")
    try:
        yield amqp_url
    finally:
        if not broker_answers(amqp_url):
            start_broker()
        deadline = time.monotonic() + 120
        while not broker_answers(amqp_url) and time.monotonic() < deadline:
            time.sleep(0.5)


@pytest.fixture
def fault_flow(gateway_database_url: str, broker: str) -> Iterator[Flow]:
    flow = flow_on_rabbitmq(gateway_database_url, broker, delivery_limit=5, retry_delays=(0.5, 2.0))
    try:
        yield flow
    finally:
        flow.transport.close()
        if broker_answers(broker):
            delete_topology(broker, flow.topology)
        flow.database.dispose()


def inbox_counts(flow: Flow) -> tuple[int, int]:
    with flow.database.engine.connect() as conn:
        directory = conn.execute(select(func.count()).select_from(directory_inbox)).scalar_one()
        caf = conn.execute(select(func.count()).select_from(caf_inbox)).scalar_one()
    return int(directory), int(caf)


def wait_until(condition: Callable[[], bool], *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.5)


def running(flow: Flow) -> tuple[threading.Event, threading.Thread]:
    """Relay and both store consumers in threads, as ``ecm-gateway worker`` runs them."""
    stop = threading.Event()
    workers = [
        ("relay", flow.relay.run),
        ("directory", flow.store_worker("directory", max_backoff=2.0).run),
        ("caf", flow.store_worker("caf", max_backoff=2.0).run),
    ]
    flow.relay.max_backoff = 2.0
    thread = threading.Thread(target=run_until_stopped, args=(workers,), kwargs={"stop": stop, "handle_signals": False})
    thread.start()
    return stop, thread


def settle_and_check(flow: Flow, stop: threading.Event, thread: threading.Thread, messages: int) -> None:
    wait_until(lambda: flow.outbox.stats().pending == 0, within=300, what="the outbox is empty")
    wait_until(lambda: inbox_counts(flow) >= (messages, messages), within=300, what="both stores have every event")
    stop.set()
    thread.join(60)
    assert not thread.is_alive()
    assert flow.collect_dead_letters() == 0
    flow.assert_exactly_once()
    assert flow.children() == messages
    assert inbox_counts(flow) == (messages, messages)  # one inbox row per event: nothing applied twice
    ledger = flow.ledger()
    assert ledger.balanced, [line.differences[:5] for line in ledger.lines]
    total = ledger.totals()
    assert (total.received, total.delivered, total.in_flight) == (messages, messages, 0)


def test_kill_9_of_the_broker_while_10000_messages_flow(fault_flow: Flow, broker: str) -> None:
    messages = 5_000  # one child with a shared CAF each: 10,000 events through the broker
    stop, thread = running(fault_flow)
    try:
        for n in range(messages):
            fault_flow.intake.submit([("c.jsonl", jsonl([child(n)]))], supplier_id="acme", la_code="201")
            if n == messages // 3:
                wait_until(lambda: sum(inbox_counts(fault_flow)) > 1_000, within=120, what="events are flowing")
                os.kill(int(PIDFILE.read_text().strip()), signal.SIGKILL)
                wait_until(lambda: not broker_answers(broker), within=30, what="the broker is gone")
            if n == messages // 2:
                start_broker()  # suppliers kept submitting meanwhile
        settle_and_check(fault_flow, stop, thread, messages)
    finally:
        stop.set()
        thread.join(60)


def test_the_broker_stopped_for_a_minute_while_suppliers_keep_submitting(fault_flow: Flow, broker: str) -> None:
    stop, thread = running(fault_flow)
    submitted = 0
    try:
        for n in range(200):
            fault_flow.intake.submit([("c.jsonl", jsonl([child(n)]))], supplier_id="acme", la_code="201")
        submitted = 200
        subprocess.run(["rabbitmqctl", "-q", "shutdown"], check=True, capture_output=True, timeout=120)
        assert not broker_answers(broker)
        until = time.monotonic() + OUTAGE_SECONDS
        while time.monotonic() < until:  # suppliers keep submitting; every one is accepted into the outbox
            result = fault_flow.intake.submit(
                [("c.jsonl", jsonl([child(submitted)]))], supplier_id="acme", la_code="201"
            )
            assert result.outcome == "accepted"
            submitted += 1
            time.sleep(0.05)
        line = fault_flow.ledger().lines[0]
        assert line.in_flight > 0 and line.balanced  # in flight, not lost
        start_broker()
        settle_and_check(fault_flow, stop, thread, submitted)
    finally:
        stop.set()
        thread.join(60)


def _watermark(value: str) -> None:
    subprocess.run(
        ["rabbitmqctl", "-q", "set_vm_memory_high_watermark", value], check=True, capture_output=True, timeout=60
    )


def test_a_resource_alarm_blocks_publishing_and_the_relay_catches_up(fault_flow: Flow, broker: str) -> None:
    fault_flow.relay.confirm_timeout = 3.0
    try:
        _watermark("0")  # a memory alarm: RabbitMQ blocks every publishing connection
        for n in range(50):
            result = fault_flow.intake.submit([("c.jsonl", jsonl([child(n)]))], supplier_id="acme", la_code="201")
            assert result.outcome == "accepted"  # the gateway keeps accepting into the outbox
        first = fault_flow.relay.run_once()
        assert first.sent == 0 and first.failed == first.claimed == 100
        wait_until(lambda: bool(getattr(fault_flow.transport, "blocked", False)), within=30, what="blocked")
        report = readiness(fault_flow.database, transport=fault_flow.transport, outbox=fault_flow.outbox)
        assert report.ready and report.degraded
        assert fault_flow.ledger().lines[0].in_flight == 50
    finally:
        _watermark("0.4")
    wait_until(lambda: not getattr(fault_flow.transport, "blocked", True), within=60, what="unblocked")
    fault_flow.outbox.make_due()
    fault_flow.deliver_all(within=120)
    assert fault_flow.collect_dead_letters() == 0
    fault_flow.assert_exactly_once()
    assert fault_flow.children() == 50
    assert fault_flow.ledger().balanced
