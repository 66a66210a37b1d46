"""Acceptance tests against the real RabbitMQ and PostgreSQL.

Tests marked ``broker_faults`` kill or stop the shared broker: they are moved to the end of the run (so the
rest of the suite is not disturbed) and restore the broker with ``scripts/services up`` even when they fail.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.transports.rabbitmq import RabbitMQTransport
from gateway.storage import open_database
from tests.adapters.transports.brokers import delete_topology, postgres_schema_url
from tests.gateway.routing.flow import Flow, make_flow

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Broker-killing tests run last, in file order."""
    faults = [item for item in items if item.get_closest_marker("broker_faults") is not None]
    if faults:
        rest = [item for item in items if item.get_closest_marker("broker_faults") is None]
        items[:] = rest + faults


@pytest.fixture
def gateway_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for the gateway (and its stores), as in production."""
    with postgres_schema_url(postgres_url) as url:
        yield url


def flow_on_rabbitmq(database_url: str, amqp_url: str, **options: object) -> Flow:
    database = open_database(database_url)
    prefix = f"acc{uuid.uuid4().hex[:8]}"
    return make_flow(database, RabbitMQTransport(amqp_url), prefix=prefix, **options)  # type: ignore[arg-type]


@pytest.fixture
def rabbit_flow(gateway_database_url: str, amqp_url: str) -> Iterator[Flow]:
    flow = flow_on_rabbitmq(gateway_database_url, amqp_url, delivery_limit=2, retry_delays=(0.05,))
    try:
        yield flow
    finally:
        flow.transport.close()
        delete_topology(amqp_url, flow.topology)
        flow.database.dispose()


def actor(role: str, flow: Flow, amqp_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a role of ``tests.acceptance.actors`` in its own process, against the flow's database and prefix."""
    return subprocess.run(
        [sys.executable, "-m", "tests.acceptance.actors", role, flow.database.url, amqp_url, flow.names.prefix, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
