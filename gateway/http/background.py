"""The background pool of asynchronous submissions, knowing which message ids it holds.

A submission answered 202 is processed here. The pool remembers each message id from the moment it is handed
over until its work returns, so this process's resumption sweep (:mod:`gateway.http.resumption`) never takes
up a submission that is only waiting its turn in the pool's own queue, however long that queue is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

__all__ = ["BackgroundPool"]


class BackgroundPool:
    """An :class:`~concurrent.futures.Executor` plus the message ids it holds (waiting or running)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def run(self, message_id: str, work: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run ``work(*args, **kwargs)`` in the pool, holding ``message_id`` until it returns. Raises
        ``RuntimeError`` when the pool is shutting down (the next start's resumption takes the work up)."""

        def run() -> None:
            try:
                work(*args, **kwargs)
            finally:
                with self._lock:
                    self._held.discard(message_id)

        with self._lock:
            self._held.add(message_id)
        try:
            self._executor.submit(run)
        except RuntimeError:
            with self._lock:
                self._held.discard(message_id)
            raise

    def holds(self, message_id: str) -> bool:
        """Whether ``message_id`` is waiting or running in this pool."""
        with self._lock:
            return message_id in self._held
