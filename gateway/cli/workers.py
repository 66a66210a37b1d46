"""``ecm-gateway relay``, ``consume`` and ``worker``: the long-running routing processes.

Each declares the topology at start-up (waiting for the broker if it is down), runs until SIGTERM or
SIGINT, finishes the batch in hand (commit, then acknowledge) and exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from types import FrameType

import typer

from gateway.cli.broker import open_gateway
from gateway.cli.output import console
from gateway.cli.wiring import Gateway
from gateway.errors import ConfigurationError, GatewayError
from gateway.routing.workers import Worker, run_until_stopped

__all__ = ["consume", "relay", "worker"]

log = logging.getLogger(__name__)

_METRICS_PORT = typer.Option(
    None, "--metrics-port", help="Serve Prometheus metrics on 127.0.0.1:PORT/metrics (off by default)."
)


class Source(StrEnum):
    directory = "directory"
    caf = "caf"
    inbound = "inbound"
    dead_letters = "dead-letters"


def _declare(gateway: Gateway, stop: threading.Event) -> None:
    """Declare the topology, retrying while the broker is unreachable (until stopped)."""
    pause = 1.0
    while not stop.is_set():
        try:
            gateway.declare()
            return
        except ConfigurationError:
            raise
        except GatewayError as exc:
            log.warning("cannot declare the topology yet (%s); retrying", exc)
            stop.wait(pause)
            pause = min(pause * 2, 30.0)


def _metrics_loop(gateway: Gateway) -> Worker:
    queues = [spec.name for spec in gateway.topology.queues]

    def loop(stop: threading.Event) -> None:
        while not stop.is_set():
            gateway.metrics.observe(
                outbox=gateway.outbox, transport=gateway.transport, queues=queues, dead_letters=gateway.dead_letters
            )
            stop.wait(15.0)

    return ("metrics", loop)


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """While waiting for the broker at start-up, SIGTERM or Ctrl-C stop the wait (exit 0, as later on)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(gateway: Gateway, workers: list[Worker], metrics_port: int | None) -> None:
    stop = threading.Event()
    try:
        with _stopped_by_signals(stop):
            _declare(gateway, stop)
        if stop.is_set():
            console.print("stopped before the broker answered; nothing was in hand")
            raise typer.Exit(0)
        if metrics_port is not None:
            gateway.metrics.serve(metrics_port)
            workers = [*workers, _metrics_loop(gateway)]
        console.print(f"running {', '.join(name for name, _ in workers)} on the {gateway.transport.kind} transport")
        code = run_until_stopped(workers, stop=stop)
    except ConfigurationError as exc:
        console.print(f"[red]cannot start:[/] {exc}")
        code = 2
    finally:
        gateway.close()
    raise typer.Exit(code)


def relay(metrics_port: int | None = _METRICS_PORT) -> None:
    """Publish the outbox with publisher confirms (windowed), marking rows sent only when confirmed.

    While the broker is down or blocking, messages wait in the outbox and the relay catches up later.
    Run several for throughput: they share the outbox without publishing a row twice at once.

    Example: ecm-gateway relay --metrics-port 9464
    """
    gateway = open_gateway()
    _run(gateway, [("relay", gateway.relay().run)], metrics_port)


def consume(
    source: Source = typer.Argument(..., help="directory, caf, inbound (raw supplier messages) or dead-letters."),
    metrics_port: int | None = _METRICS_PORT,
) -> None:
    """Consume one queue: apply each batch in the store's transaction, then acknowledge the batch.

    Redeliveries are harmless (the store's inbox of event ids); a poison message is retried with back-off
    and dead-lettered with its reason after ECM_DELIVERY_LIMIT attempts. Run more for throughput.

    Example: ecm-gateway consume directory
    """
    gateway = open_gateway()
    if source is Source.dead_letters:
        workers: list[Worker] = [(f"collect {w.queue}", w.run) for w in gateway.dead_letter_workers()]
    elif source is Source.inbound:
        workers = [("inbound", gateway.inbound_worker().run)]
    elif source is Source.caf:
        workers = [("caf", gateway.store_worker("caf").run)]
    else:
        workers = [("directory", gateway.store_worker("directory").run)]
    _run(gateway, workers, metrics_port)


def worker(metrics_port: int | None = _METRICS_PORT) -> None:
    """Run everything in one process: relay, directory and CAF consumers, AMQP intake, dead-letter collection.

    The simplest deployment (and the laptop one); scale by running more, or the parts separately.

    Example: ecm-gateway worker --metrics-port 9464
    """
    gateway = open_gateway()
    workers: list[Worker] = [
        ("relay", gateway.relay().run),
        ("directory", gateway.store_worker("directory").run),
        ("caf", gateway.store_worker("caf").run),
        ("inbound", gateway.inbound_worker().run),
        *[(f"collect {w.queue}", w.run) for w in gateway.dead_letter_workers()],
    ]
    _run(gateway, workers, metrics_port)
