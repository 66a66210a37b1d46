"""Request limits: body size (also for chunked bodies with no Content-Length) and per-client rate.

:class:`BodyLimit` is plain ASGI middleware: a declared ``Content-Length`` over the limit is refused before
a byte is read; otherwise it counts the bytes as the app receives them and stops at the limit, so a chunked
body cannot slip past. :class:`RateLimiter` is a token bucket per *authenticated client id* — never keyed
by anything the caller can choose, such as ``X-Forwarded-For``. It counts per process: with ``--workers N``
the effective limit is N times the setting.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "BodyTooLarge", "RateLimiter"]


class BodyTooLarge(HTTPException):
    """The request body passed the limit (raised from ``receive``; the error handlers answer 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body is larger than {limit} bytes")


async def _refuse(send: Send, limit: int) -> None:
    body = orjson.dumps({"error": f"the request body is larger than {limit} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse bodies over ``default`` bytes, or over ``by_prefix[prefix]`` for paths under a prefix."""

    def __init__(self, app: ASGIApp, *, default: int, by_prefix: Mapping[str, int] | None = None) -> None:
        self.app = app
        self._default = default
        self._by_prefix = sorted((by_prefix or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self._by_prefix:
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return self._default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await _refuse(send, limit)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit)


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client id: ``per_minute`` requests on average, ``burst`` at once."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, client_id: str) -> int | None:
        """``None`` when the request may proceed, else the whole seconds to wait (``Retry-After``)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client_id)
            if bucket is None:
                bucket = self._buckets[client_id] = _Bucket(self._burst, now)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self._rate))
