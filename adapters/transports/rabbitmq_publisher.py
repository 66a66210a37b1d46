"""Windowed publisher confirms: a pika ``SelectConnection`` on its own I/O thread (see ``rabbitmq.py``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import pika
import pika.spec

from gateway.errors import TransportError
from gateway.transport import OutgoingMessage, PublishOutcome

__all__ = ["Publisher"]

log = logging.getLogger(__name__)


class _Batch:
    """One publish call's outcomes, settled by the I/O thread and read by the caller."""

    def __init__(self, size: int) -> None:
        self.outcomes: list[PublishOutcome | None] = [None] * size
        self.remaining = size
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.closed = False
        if size == 0:
            self.done.set()

    def settle(self, index: int, outcome: PublishOutcome) -> None:
        with self.lock:
            if self.closed or self.outcomes[index] is not None:
                return
            self.outcomes[index] = outcome
            self.remaining -= 1
            if self.remaining == 0:
                self.done.set()

    def finish(self, reason: str) -> list[PublishOutcome]:
        with self.lock:
            self.closed = True
            return [outcome or PublishOutcome("unknown", reason) for outcome in self.outcomes]


class Publisher:
    """A SelectConnection on its own thread, with a confirm-mode channel (windowed confirms)."""

    def __init__(self, params: pika.URLParameters, *, connect_timeout: float) -> None:
        self._params = params
        self._ready = threading.Event()
        self._failure: str | None = None
        self._connection: Any = None
        self._channel: Any = None
        self._pending: dict[int, tuple[_Batch, int, str | None]] = {}
        self._returned: dict[str | None, str] = {}
        self._next_tag = 0
        self._lowest = 1
        self.blocked = False
        self._alive = False
        self._thread = threading.Thread(target=self._run, name="ecm-amqp-publisher", daemon=True)
        self._thread.start()
        if not self._ready.wait(connect_timeout) or not self._alive:
            self.close()
            raise TransportError(f"cannot open a publishing connection to RabbitMQ: {self._failure or 'timed out'}")

    @property
    def alive(self) -> bool:
        return self._alive and self._thread.is_alive()

    # -- I/O thread -----------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._connection = pika.SelectConnection(
                self._params,
                on_open_callback=self._on_open,
                on_open_error_callback=self._on_open_error,
                on_close_callback=self._on_closed,
            )
            self._connection.add_on_connection_blocked_callback(self._on_blocked)
            self._connection.add_on_connection_unblocked_callback(self._on_unblocked)
            self._connection.ioloop.start()
        except Exception as exc:  # any failure of the I/O loop ends this publisher
            self._failure = type(exc).__name__
        finally:
            self._alive = False
            self._fail_pending("connection to RabbitMQ lost before confirm")
            if self._connection is not None:
                try:
                    self._connection.ioloop.close()  # its wake-up socket pair
                except Exception:
                    log.debug("publisher I/O loop already closed")
            self._ready.set()

    def _on_open(self, connection: Any) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_open_error(self, connection: Any, error: BaseException | str) -> None:
        self._failure = str(error) if isinstance(error, str) else type(error).__name__
        connection.ioloop.stop()

    def _on_closed(self, connection: Any, reason: BaseException) -> None:
        self._alive = False
        self._failure = self._failure or type(reason).__name__
        self._fail_pending("connection to RabbitMQ closed before confirm")
        connection.ioloop.stop()

    def _on_channel_open(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=self._on_confirm_mode)

    def _on_confirm_mode(self, _frame: Any) -> None:
        self._alive = True
        self._ready.set()

    def _on_channel_closed(self, _channel: Any, reason: BaseException) -> None:
        self._alive = False
        self._failure = f"channel closed: {reason}"
        self._fail_pending("publishing channel closed before confirm")
        if self._connection is not None and self._connection.is_open:
            self._connection.close()

    def _on_blocked(self, _connection: Any, _frame: Any) -> None:
        log.warning("RabbitMQ blocked publishing (resource alarm); the outbox keeps the messages")
        self.blocked = True

    def _on_unblocked(self, _connection: Any, _frame: Any) -> None:
        log.info("RabbitMQ unblocked publishing")
        self.blocked = False

    def _on_return(self, _channel: Any, method: Any, properties: Any, _body: bytes) -> None:
        self._returned[properties.message_id] = f"returned by the broker: {method.reply_text}"

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        acked = isinstance(method, pika.spec.Basic.Ack)
        tag = int(method.delivery_tag)
        tags = range(self._lowest, tag + 1) if method.multiple else range(tag, tag + 1)
        for settled in tags:
            entry = self._pending.pop(settled, None)
            if entry is None:
                continue
            batch, index, message_id = entry
            if not acked:
                batch.settle(index, PublishOutcome("nacked", "refused by the broker (queue full or internal error)"))
            elif message_id in self._returned:
                batch.settle(index, PublishOutcome("returned", self._returned.pop(message_id)))
            else:
                batch.settle(index, PublishOutcome("confirmed"))
        while self._lowest <= self._next_tag and self._lowest not in self._pending:
            self._lowest += 1

    def _fail_pending(self, reason: str) -> None:
        pending, self._pending = self._pending, {}
        for batch, index, _ in pending.values():
            batch.settle(index, PublishOutcome("unknown", reason))
        self._returned.clear()

    def _send(self, messages: Sequence[OutgoingMessage], batch: _Batch) -> None:
        for index, message in enumerate(messages):
            if not self._alive or self._channel is None or not self._channel.is_open:
                batch.settle(index, PublishOutcome("unknown", "publishing channel not open"))
                continue
            properties = pika.BasicProperties(
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=message.message_id,
                content_type=message.content_type,
                headers=dict(message.headers),
            )
            try:
                self._channel.basic_publish(
                    message.exchange, message.routing_key, message.body, properties, mandatory=True
                )
            except Exception as exc:  # a closed channel or connection: the outcome is unknown
                batch.settle(index, PublishOutcome("unknown", f"publish failed: {type(exc).__name__}"))
                continue
            self._next_tag += 1
            self._pending[self._next_tag] = (batch, index, message.message_id)

    def _expire(self, batch: _Batch, done: threading.Event) -> None:
        batch.finish("no confirm in time")
        done.set()

    # -- caller thread --------------------------------------------------------------------------------

    def publish(self, messages: Sequence[OutgoingMessage], timeout: float) -> list[PublishOutcome]:
        if self.blocked:
            return [PublishOutcome("unknown", "RabbitMQ is blocking publishers (resource alarm)")] * len(messages)
        batch = _Batch(len(messages))
        try:
            self._connection.ioloop.add_callback_threadsafe(lambda: self._send(messages, batch))
        except Exception as exc:
            raise TransportError("the publishing connection to RabbitMQ is closed") from exc
        deadline = time.monotonic() + timeout
        while not batch.done.wait(0.25):
            if time.monotonic() >= deadline or not self._thread.is_alive():
                break
        if not batch.done.is_set() and self._thread.is_alive():
            expired = threading.Event()
            try:
                self._connection.ioloop.add_callback_threadsafe(lambda: self._expire(batch, expired))
                expired.wait(1.0)
            except Exception:
                log.debug("publisher loop gone while expiring a batch")
        return batch.finish("no confirm within the timeout")

    def close(self) -> None:
        connection = self._connection
        if connection is not None and self._thread.is_alive():
            try:
                connection.ioloop.add_callback_threadsafe(
                    lambda: connection.close() if connection.is_open else connection.ioloop.stop()
                )
            except Exception:
                log.debug("publisher loop already stopped")
        self._thread.join(5.0)
