"""Prove the test servers are real and usable, and test the plumbing in tests/services_plugin.py.

The server tests run against whatever ECM_TEST_AMQP_URL / ECM_TEST_POSTGRES_URL point at
(``scripts/services`` starts local ones); without them they skip, or fail under
ECM_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import re
import uuid
from urllib.parse import urlsplit

import pika
import psycopg
import pytest

from tests.services_plugin import REQUIRE_ENV, libpq_url, redact_url, service_unavailable

# ---------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------


@pytest.mark.rabbitmq
def test_rabbitmq_quorum_queue_round_trip_with_confirms(amqp_url: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        # pika keeps the Connection.Start properties on the underlying (non-blocking) connection
        # only; there is no public accessor on BlockingConnection.
        server = connection._impl.server_properties
        assert server is not None
        assert server["product"] == "RabbitMQ"
        assert re.fullmatch(r"\d+\.\d+\.\d+([.+-].*)?", server["version"]), server["version"]
        assert connection.publisher_confirms_supported

        channel = connection.channel()
        channel.confirm_delivery()  # basic_publish now waits for the broker's ack (or raises)

        queue = f"ecm-test-services-{uuid.uuid4().hex}"
        # Quorum queues are always durable and never exclusive/auto-delete, so "temporary" means
        # a unique name, an idle expiry as a safety net if the test dies, and a delete below.
        # x-overflow=reject-publish is what the gateway's queues use: a full queue then nacks the
        # publish instead of silently dropping the oldest message, so a confirm means "stored";
        # it is also required for at-least-once dead-lettering (see FIELD-NOTES).
        channel.queue_declare(
            queue,
            durable=True,
            arguments={"x-queue-type": "quorum", "x-overflow": "reject-publish", "x-expires": 60_000},
        )
        try:
            # Deliberately not UTF-8: the broker must hand back exactly the bytes it was given.
            body = b"\x00\xff ECM services probe \xc3\xa9 " + os.urandom(32)
            message_id = uuid.uuid4().hex
            # mandatory=True: an unroutable message would otherwise be confirmed and dropped.
            channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=body,
                properties=pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type="application/octet-stream",
                    message_id=message_id,
                ),
                mandatory=True,
            )

            received = None
            for method, properties, payload in channel.consume(queue, inactivity_timeout=10):
                if method is None:  # inactivity timeout
                    break
                channel.basic_ack(method.delivery_tag)
                received = (properties, payload)
                break
            channel.cancel()

            assert received is not None, "published message was confirmed but never delivered"
            properties, payload = received
            assert payload == body
            assert properties.message_id == message_id
            assert properties.delivery_mode == pika.DeliveryMode.Persistent.value
        finally:
            channel.queue_delete(queue)
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_version_and_round_trip(postgres_url: str) -> None:
    expected = urlsplit(postgres_url)
    with psycopg.connect(libpq_url(postgres_url)) as conn:
        row = conn.execute("select version()").fetchone()
        assert row is not None
        assert "PostgreSQL" in row[0]

        # Connected as the user, to the database, the URL names.
        assert conn.execute("select current_user, current_database()").fetchone() == (
            expected.username,
            expected.path.lstrip("/"),
        )

        conn.execute("create temporary table services_probe (id int primary key, name text, blob bytea)")
        rows_in = [(1, "Zoë O'Brien", b"\x00\xff"), (2, "Łukasz", b"")]
        with conn.cursor() as cur:
            cur.executemany("insert into services_probe (id, name, blob) values (%s, %s, %s)", rows_in)
        rows_out = conn.execute("select id, name, blob from services_probe order by id").fetchall()
        assert rows_out == rows_in


# ---------------------------------------------------------------------------------------------
# Plumbing (no servers needed)
# ---------------------------------------------------------------------------------------------


def test_libpq_url_strips_the_sqlalchemy_driver() -> None:
    assert libpq_url("postgresql+psycopg://u:p@127.0.0.1:5432/db") == "postgresql://u:p@127.0.0.1:5432/db"
    assert libpq_url("postgresql://u@h/db?sslmode=disable") == "postgresql://u@h/db?sslmode=disable"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_url("amqp://u:p@h/v")


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("amqp://ecm:secret@127.0.0.1:5672/ecm_test") == "amqp://ecm:***@127.0.0.1:5672/ecm_test"
    assert redact_url("postgresql://h/db") == "postgresql://h/db"


def test_missing_service_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server"):
        service_unavailable("no server")


def test_missing_service_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no server"):
        service_unavailable("no server")
