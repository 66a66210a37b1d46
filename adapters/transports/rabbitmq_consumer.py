"""A RabbitMQ consumer on a ``BlockingConnection``: prefetch, batched acks, confirmed retry and dead letters."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import pika
import pika.exceptions

from adapters.transports._amqp import (
    AMQP_ERRORS,
    RETRIES_HEADER,
    USER_ID_HEADER,
    close_quietly,
    plain_headers,
    retry_queue_name,
)
from gateway.errors import TransportError
from gateway.transport import DEAD_QUEUE_HEADER, DEAD_REASON_HEADER, Delivery

__all__ = ["RabbitConsumer"]


class RabbitConsumer:
    """A consumer of one queue on its own BlockingConnection (see :class:`gateway.transport.Consumer`)."""

    def __init__(
        self,
        connection: pika.BlockingConnection,
        queue: str,
        *,
        prefetch: int,
        dead_exchange: str,
        retry_exchange: str,
        retry_delays: tuple[float, ...],
    ) -> None:
        self.queue = queue
        self._connection = connection
        self._dead_exchange = dead_exchange
        self._retry_exchange = retry_exchange
        self._retry_delays = retry_delays
        self._buffer: deque[Delivery] = deque()
        self._unsettled: set[int] = set()
        self._confirming: Any = None
        try:
            self._channel = connection.channel()
            self._channel.basic_qos(prefetch_count=prefetch)
            self._channel.basic_consume(queue, self._on_message, auto_ack=False)
        except pika.exceptions.ChannelClosedByBroker as exc:
            close_quietly(connection)
            raise TransportError(f"cannot consume {queue!r}: {exc.reply_text}") from exc
        except AMQP_ERRORS as exc:
            close_quietly(connection)
            raise TransportError(f"cannot consume {queue!r}: {type(exc).__name__}") from exc

    def _on_message(self, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        headers = plain_headers(properties.headers)
        headers.pop(USER_ID_HEADER, None)  # only the broker may say who published
        if properties.user_id:
            headers[USER_ID_HEADER] = properties.user_id  # RabbitMQ validates user_id against the login
        attempt = 1 + int(headers.get("x-delivery-count", 0) or 0) + int(headers.get(RETRIES_HEADER, 0) or 0)
        if method.redelivered and "x-delivery-count" not in headers:
            attempt += 1
        self._buffer.append(
            Delivery(
                queue=self.queue,
                message_id=properties.message_id or "",
                exchange=method.exchange,
                routing_key=method.routing_key,
                body=body,
                headers=headers,
                content_type=properties.content_type,
                attempt=attempt,
                tag=int(method.delivery_tag),
            )
        )

    def fetch(self, max_messages: int, *, timeout: float) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        try:
            if max_messages <= 0:
                self._connection.sleep(timeout)  # services heartbeats while the caller waits
                return []
            while not self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._connection.process_data_events(time_limit=min(remaining, 1.0))
            if self._buffer and len(self._buffer) < max_messages:
                self._connection.process_data_events(time_limit=0)
        except AMQP_ERRORS as exc:
            raise TransportError(f"consuming {self.queue!r} failed: {type(exc).__name__}") from exc
        taken: list[Delivery] = []
        while self._buffer and len(taken) < max_messages:
            taken.append(self._buffer.popleft())
        self._unsettled.update(int(delivery.tag) for delivery in taken)
        return taken

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        tags = sorted(int(delivery.tag) for delivery in deliveries)
        if not tags:
            return
        try:
            highest = tags[-1]
            covered = {tag for tag in self._unsettled if tag <= highest}
            if covered == set(tags):
                self._channel.basic_ack(delivery_tag=highest, multiple=True)
            else:
                for tag in tags:
                    self._channel.basic_ack(delivery_tag=tag)
        except AMQP_ERRORS as exc:
            raise TransportError(f"acknowledging on {self.queue!r} failed: {type(exc).__name__}") from exc
        self._unsettled.difference_update(tags)

    def _publish_confirmed(self, exchange: str, routing_key: str, delivery: Delivery, headers: dict[str, Any]) -> None:
        if self._confirming is None or not self._confirming.is_open:
            self._confirming = self._connection.channel()
            self._confirming.confirm_delivery()
        properties = pika.BasicProperties(
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=delivery.message_id,
            content_type=delivery.content_type,
            headers=headers,
        )
        self._confirming.basic_publish(exchange, routing_key, delivery.body, properties, mandatory=True)

    def _settle(self, delivery: Delivery, exchange: str, routing_key: str, headers: dict[str, Any]) -> None:
        try:
            self._publish_confirmed(exchange, routing_key, delivery, headers)
            self._channel.basic_ack(delivery_tag=int(delivery.tag))
        except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as exc:
            raise TransportError(f"could not move a message out of {self.queue!r}: {type(exc).__name__}") from exc
        except AMQP_ERRORS as exc:
            raise TransportError(f"could not move a message out of {self.queue!r}: {type(exc).__name__}") from exc
        self._unsettled.discard(int(delivery.tag))

    def retry(self, delivery: Delivery, *, delay: float, reason: str) -> None:
        del reason
        if not self._retry_delays:
            raise TransportError(f"queue {self.queue!r} has no retry queues (declare the topology first)")
        level = next((i for i, d in enumerate(self._retry_delays, start=1) if d >= delay), len(self._retry_delays))
        headers = {k: v for k, v in delivery.headers.items() if k != "x-delivery-count"}
        headers[RETRIES_HEADER] = int(headers.get(RETRIES_HEADER, 0) or 0) + 1
        self._settle(delivery, self._retry_exchange, retry_queue_name(self.queue, level), headers)

    def dead_letter(self, delivery: Delivery, *, reason: str) -> None:
        headers = {k: v for k, v in delivery.headers.items() if k != "x-delivery-count"}
        headers[DEAD_REASON_HEADER] = reason[:500]
        headers[DEAD_QUEUE_HEADER] = self.queue
        self._settle(delivery, self._dead_exchange, self.queue, headers)

    def close(self) -> None:
        close_quietly(self._connection)
        self._buffer.clear()
        self._unsettled.clear()
