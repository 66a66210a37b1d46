"""Pieces the RabbitMQ transport's modules share: header names, pika's exceptions, retry queue names."""

from __future__ import annotations

import logging
from typing import Any

import pika
import pika.exceptions

__all__ = ["AMQP_ERRORS", "RETRIES_HEADER", "USER_ID_HEADER", "close_quietly", "plain_headers", "retry_queue_name"]

log = logging.getLogger(__name__)

RETRIES_HEADER = "x-ecm-retries"
"""How many times a message went through a retry queue."""
USER_ID_HEADER = "x-amqp-user-id"
"""The publisher's AMQP ``user_id`` (validated by RabbitMQ), as the inbound consumer sees it."""
AMQP_ERRORS = (pika.exceptions.AMQPError, OSError)


def retry_queue_name(queue: str, level: int) -> str:
    """``<queue>.retry.<level>`` (level 1 is the shortest delay)."""
    return f"{queue}.retry.{level}"


def plain_headers(headers: dict[str, Any] | None) -> dict[str, Any]:
    return dict(headers or {})


def close_quietly(connection: pika.BlockingConnection) -> None:
    """Close a blocking connection, ignoring that it may be gone already."""
    try:
        if connection.is_open:
            connection.close()
    except AMQP_ERRORS:
        log.debug("connection already closed")
