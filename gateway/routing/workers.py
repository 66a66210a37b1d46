"""Running workers (relay, consumers) as threads until SIGTERM/SIGINT, then shutting down cleanly.

On the signal every worker finishes the batch in hand (commit, then acknowledge), closes its consumer
(unsettled deliveries go back to the queue) and returns; the process then exits 0. A worker that dies of
an unexpected error stops the others and the process exits 1, so a supervisor restarts it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType

__all__ = ["Worker", "run_until_stopped"]

log = logging.getLogger(__name__)

Worker = tuple[str, Callable[[threading.Event], None]]
"""A name and a loop that runs until its stop event is set."""


def run_until_stopped(
    workers: Sequence[Worker], *, stop: threading.Event | None = None, handle_signals: bool = True
) -> int:
    """Run ``workers`` in threads until ``stop`` is set (by SIGTERM/SIGINT or the caller); returns an exit code."""
    stop = stop or threading.Event()
    failed = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the batches in hand and stopping", signal.Signals(signum).name)
        stop.set()

    previous: dict[int, object] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, on_signal)

    def guarded(name: str, loop: Callable[[threading.Event], None]) -> None:
        try:
            loop(stop)
        except Exception:
            log.exception("worker %s failed; stopping the others", name)
            failed.set()
            stop.set()

    threads = [threading.Thread(target=guarded, args=(name, loop), name=f"ecm-{name}") for name, loop in workers]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
    return 1 if failed.is_set() else 0
