"""Helpers for tests against the real servers: remove a test topology from RabbitMQ, a PostgreSQL schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pika
import pika.exceptions
import psycopg

from adapters.transports.rabbitmq import retry_queue_name
from gateway.transport import Topology

__all__ = ["delete_topology", "postgres_schema_url"]


def delete_topology(url: str, topology: Topology) -> None:
    """Delete every queue (with its retry queues) and exchange of ``topology``; missing ones are fine."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        for queue in topology.queues:
            names = [queue.name] + [retry_queue_name(queue.name, n) for n in range(1, len(queue.retry_delays) + 1)]
            for name in names:
                channel = connection.channel()
                try:
                    channel.queue_delete(name)
                    channel.close()
                except pika.exceptions.ChannelClosedByBroker:
                    pass
        for exchange in topology.exchanges:
            channel = connection.channel()
            try:
                channel.exchange_delete(exchange.name)
                channel.close()
            except pika.exceptions.ChannelClosedByBroker:
                pass
    finally:
        connection.close()


@contextmanager
def postgres_schema_url(server_url: str) -> Iterator[str]:
    """A SQLAlchemy URL whose search path is a fresh, empty schema (dropped afterwards)."""
    plain = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
