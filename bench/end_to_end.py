"""End-to-end routing throughput with RabbitMQ and PostgreSQL on this machine, beside the raw pika floor.

Usage::

    eval "$(scripts/services env)"
    .venv/bin/python bench/end_to_end.py                      # CIN census files for 60 s, their DfE pack
    .venv/bin/python bench/end_to_end.py --seconds 20 --children 500 --intakes 2 --consumers 2
    .venv/bin/python bench/end_to_end.py --rate 150                # latency at a load the stores keep up with

**End to end** — synthetic CIN census XML files (``adapters.cin_census.synthetic``), each submitted as one
message: receive (raw payload committed) -> read (hardened parse, XSD validation) -> map -> check (the
conformance profile: by default ``cin-census-2025-26``, the DfE pack the gateway picks for these census
2025-26 files; the synthetic files are clean by it, so every message is accepted) -> route (directory view
per child, outcome and events in one outbox transaction) -> relay (``ecm-gateway relay``: windowed
publisher confirms) -> RabbitMQ quorum queues -> ``ecm-gateway consume directory`` and ``consume caf``
(one store transaction per batch, then batched acks) -> committed. The worker processes are the real CLI
commands, stopped with SIGTERM at the end (their exit codes are shown).
Identity resolution (match) runs before routing: each child is matched against the directory's identity
index (each file is sent again and again, so after its first submission its records are known and unchanged;
the breakdown's message comes from another supplier, so each of its records is matched and linked).

Figures: child records per second from the first receipt to the last directory commit; the slowest
10-second window of directory commits (sustained rate); latency from receipt to the store's transaction
per child (p50/p99, ``directory_inbox.applied_at - messages.received_at``).

**Raw floor**, measured in the same run: plain pika publishing the same number of messages (the mean size
of the routed events) to a quorum queue with a sliding window of 1,000 unconfirmed publishes
(SelectConnection) while another process consumes them with prefetch 1,000 and an ack every 100.

Targets (issue #6): >= 1,000 child records/s sustained for a minute, and >= 30% of the raw floor.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pika  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from adapters.cin_census.synthetic import write_file  # noqa: E402
from adapters.transports.rabbitmq import retry_queue_name  # noqa: E402
from gateway.cli.compose import build_registry  # noqa: E402
from gateway.cli.wiring import build_gateway  # noqa: E402
from gateway.directory.store import DirectoryStore  # noqa: E402
from gateway.events import Event  # noqa: E402
from gateway.formats import SourceFile  # noqa: E402
from gateway.pipeline import new_envelope  # noqa: E402
from gateway.routing.tables import outbox  # noqa: E402
from gateway.settings import load_settings  # noqa: E402
from gateway.storage.tables import directory_inbox, messages  # noqa: E402

WINDOW = 1000


# ------------------------------------------------------------------------------------------------------
# raw floor
# ------------------------------------------------------------------------------------------------------


def _floor_consume(url: str, queue: str, count: int, ready: Any, done: Any) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=1000)
    got = 0

    def on_message(ch: Any, method: Any, _props: Any, _body: bytes) -> None:
        nonlocal got
        got += 1
        if got % 100 == 0 or got == count:
            ch.basic_ack(method.delivery_tag, multiple=True)

    channel.basic_consume(queue, on_message)
    ready.set()
    while got < count:
        connection.process_data_events(time_limit=1)
    done.put(time.time())
    connection.close()


def _floor_publish(url: str, queue: str, count: int, body: bytes) -> float:
    outstanding: deque[int] = deque()
    state = {"sent": 0, "confirmed": 0}
    channel_box: dict[str, Any] = {}
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")

    def publish_more() -> None:
        channel = channel_box["channel"]
        while state["sent"] < count and len(outstanding) < WINDOW:
            channel.basic_publish("", queue, body, properties, mandatory=True)
            state["sent"] += 1
            outstanding.append(state["sent"])

    def on_confirm(frame: Any) -> None:
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        if multiple:
            while outstanding and outstanding[0] <= tag:
                outstanding.popleft()
        elif tag in outstanding:
            outstanding.remove(tag)
        if state["sent"] == count and not outstanding:
            channel_box["connection"].close()
        else:
            publish_more()

    def on_channel(channel: Any) -> None:
        channel_box["channel"] = channel
        channel.confirm_delivery(on_confirm, callback=lambda _frame: publish_more())

    connection = pika.SelectConnection(
        pika.URLParameters(url),
        on_open_callback=lambda conn: conn.channel(on_open_callback=on_channel),
        on_close_callback=lambda conn, _reason: conn.ioloop.stop(),
    )
    channel_box["connection"] = connection
    started = time.time()
    connection.ioloop.start()
    return time.time() - started


def raw_floor(url: str, count: int, body_size: int) -> tuple[float, float]:
    """(messages/s end to end, messages/s publishing alone) for ``count`` messages of ``body_size`` bytes."""
    queue = f"bench.floor.{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(url))
    connection.channel().queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Queue()
    consumer = context.Process(target=_floor_consume, args=(url, queue, count, ready, done))
    consumer.start()
    ready.wait(30)
    started = time.time()
    publish_seconds = _floor_publish(url, queue, count, b"x" * body_size)
    finished = done.get(timeout=600)
    consumer.join(30)
    connection.channel().queue_delete(queue)
    connection.close()
    return count / (finished - started), count / publish_seconds


# ------------------------------------------------------------------------------------------------------
# end to end
# ------------------------------------------------------------------------------------------------------


def _schema(postgres_url: str) -> tuple[str, str]:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in postgres_url else "?"
    return schema, f"{postgres_url}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(postgres_url: str, schema: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _delete_topology(amqp_url: str, gateway: Any) -> None:
    """Delete the run's queues and exchanges. Each quorum queue keeps files open: left behind by run after
    run, they exhaust the broker's file handles (ulimit 1024) and it stops accepting connections."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for queue in gateway.topology.queues:
        channel.queue_delete(queue.name)
        for level in range(1, len(queue.retry_delays) + 1):
            channel.queue_delete(retry_queue_name(queue.name, level))
    for exchange in gateway.topology.exchanges:
        channel.exchange_delete(exchange.name)
    connection.close()


def _files(count: int, children: int, folder: Path) -> list[tuple[str, bytes]]:
    """One file per LA (201, 202, ...): distinct children in each."""
    made = []
    for index in range(count):
        la_code = f"{201 + index:03d}"
        path = folder / f"cin-{la_code}.xml"
        write_file(path, children, year=2026, seed=index, la_code=la_code)
        made.append((la_code, path.read_bytes()))
    return made


def _submit(env: dict[str, str], files: list[tuple[str, bytes]], seconds: float, start: int, interval: float) -> None:
    """An intake process: submit the files round-robin for ``seconds`` (each as a new message), one every
    ``interval`` seconds at most (0: as fast as it can)."""
    os.environ.update(env)
    settings = load_settings()
    registry = build_registry(settings)
    gateway = build_gateway(settings, registry=registry, explicit_profile=settings.profile)  # for every file
    start_time = time.time()
    deadline = start_time + seconds
    number = 0
    while time.time() < deadline:
        la_code, data = files[(start + number) % len(files)]
        gateway.intake.submit(
            [("census.xml", data)], supplier_id="bench-cms", la_code=la_code, message_id=f"b-{start}-{number}"
        )
        number += 1
        pause = start_time + number * interval - time.time()
        if pause > 0:
            time.sleep(pause)
    gateway.close()


def _stop(workers: dict[str, subprocess.Popen[bytes]]) -> dict[str, int | None]:
    """SIGTERM every worker and collect the exit codes (0 = clean shutdown)."""
    for worker in workers.values():
        worker.send_signal(signal.SIGTERM)
    codes: dict[str, int | None] = {}
    for name, worker in workers.items():
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
        codes[name] = worker.returncode
    return codes


def _windows(start: datetime, commits: list[datetime]) -> list[float]:
    """Commits per second in consecutive 10-second windows from ``start`` (the partial last one dropped)."""
    rates: list[float] = []
    edge, index = start.timestamp() + 10, 0
    while commits and edge <= commits[-1].timestamp():
        count = 0
        while index < len(commits) and commits[index].timestamp() < edge:
            count += 1
            index += 1
        rates.append(count / 10)
        edge += 10
    return rates[1:] or [0.0]  # the first window includes start-up


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def end_to_end(args: argparse.Namespace, amqp_url: str, postgres_url: str) -> dict[str, Any]:
    schema, database_url = _schema(postgres_url)
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    env = {
        "ECM_DATABASE_URL": database_url,
        "ECM_BROKER_URL": amqp_url,
        "ECM_BROKER_PREFIX": prefix,
        "ECM_PROFILE": args.profile,
    }
    os.environ.update(env)
    settings = load_settings()
    registry = build_registry(settings)
    gateway = build_gateway(settings, registry=registry, explicit_profile=settings.profile)  # for every file
    gateway.declare()
    with tempfile.TemporaryDirectory() as folder:
        files = _files(args.files, args.children, Path(folder))
    command = [sys.executable, "-c", "from gateway.cli import main; main()"]
    roles = [("relay", ["relay"]), ("caf", ["consume", "caf"])]
    roles += [(f"directory-{n}", ["consume", "directory"]) for n in range(1, args.consumers + 1)]
    workers = {
        name: subprocess.Popen(
            [*command, *argv], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for name, argv in roles
    }
    context = multiprocessing.get_context("spawn")
    interval = args.children * args.intakes / args.rate if args.rate else 0.0
    intakes = [
        context.Process(target=_submit, args=(env, files, args.seconds, start, interval))
        for start in range(args.intakes)
    ]
    for process in intakes:
        process.start()
    for process in intakes:
        process.join()
    engine = gateway.database.engine
    with engine.connect() as conn:
        expected = conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.kind.like("directory.child.%"))
        ).scalar_one()
    deadline = time.time() + 600
    while time.time() < deadline:
        with engine.connect() as conn:
            applied = conn.execute(select(func.count()).select_from(directory_inbox)).scalar_one()
        if applied >= expected:
            break
        time.sleep(0.5)
    codes = _stop(workers)
    with engine.connect() as conn:
        outcomes = dict(conn.execute(select(messages.c.status, func.count()).group_by(messages.c.status)).all())
        records = conn.execute(
            select(func.coalesce(func.sum(messages.c.record_count), 0)).where(messages.c.status == "accepted")
        ).scalar_one()
        first_receipt = conn.execute(select(func.min(messages.c.received_at))).scalar_one()
        rows = conn.execute(
            select(messages.c.received_at, directory_inbox.c.applied_at)
            .select_from(directory_inbox)
            .join(outbox, outbox.c.event_id == directory_inbox.c.event_id)
            .join(messages, messages.c.message_id == outbox.c.message_id)
        ).all()
        sizes = conn.execute(select(func.avg(func.length(outbox.c.body)))).scalar_one()
    _delete_topology(amqp_url, gateway)
    gateway.close()
    _drop_schema(postgres_url, schema)
    commits = sorted(applied_at for _, applied_at in rows)
    elapsed = (commits[-1] - first_receipt).total_seconds() if commits else 0.0
    latencies = [(applied - received).total_seconds() for received, applied in rows]
    return {
        "outcomes": outcomes,
        "records": int(records),
        "events": len(rows),
        "expected": int(expected),
        "elapsed": elapsed,
        "rate": records / elapsed if elapsed else 0.0,
        "windows": _windows(first_receipt, commits),
        "p50": _percentile(latencies, 0.50) if latencies else 0.0,
        "p99": _percentile(latencies, 0.99) if latencies else 0.0,
        "body_size": int(sizes or 1000),
        "exit_codes": codes,
    }


def breakdown(args: argparse.Namespace, amqp_url: str, postgres_url: str) -> dict[str, float]:
    """Milliseconds per child record of each stage, one stage at a time in this process (no contention
    between stages): where the end-to-end time goes."""
    schema, database_url = _schema(postgres_url)
    prefix = f"bd{uuid.uuid4().hex[:6]}"
    os.environ.update({"ECM_DATABASE_URL": database_url, "ECM_BROKER_URL": amqp_url, "ECM_BROKER_PREFIX": prefix})
    settings = load_settings()
    registry = build_registry(settings)
    gateway = build_gateway(settings, registry=registry, explicit_profile=settings.profile)  # for every file
    gateway.declare()
    with tempfile.TemporaryDirectory() as folder:
        (la_code, data), *_ = _files(1, args.children, Path(folder))
    gateway.intake.submit([("census.xml", data)], supplier_id="warm-up", la_code=la_code)  # loads the schemas
    gateway.relay().drain()
    _drain(gateway, args.children)
    envelope = new_envelope(
        [("census.xml", data)], supplier_id="bench-cms", la_code=la_code, format_id="cin-census-xml"
    )
    gateway.intake.store.receive(envelope, [("census.xml", data)])
    reader = registry.reader("cin-census-xml")
    if reader is None:
        raise SystemExit("the cin-census-xml reader is not registered")
    times: dict[str, float] = {}
    started = time.perf_counter()
    result = gateway.intake.evaluate(envelope, [SourceFile(name="census.xml", data=data)], reader)
    times["read + map + check + match (intake)"] = time.perf_counter() - started
    started = time.perf_counter()
    gateway.intake.record(result)
    times["route + record outcome and outbox (one transaction)"] = time.perf_counter() - started
    started = time.perf_counter()
    gateway.relay().drain()
    times["relay: publish with confirms, mark sent"] = time.perf_counter() - started
    deliveries, consumer = _drain(gateway, len(result.message.records), keep=True)
    started = time.perf_counter()
    events = [Event.model_validate_json(delivery.body) for delivery in deliveries]
    times["consumer: decode events"] = time.perf_counter() - started
    store = DirectoryStore(gateway.database, events=gateway.outbox)
    size = settings.consumer_batch_size
    started = time.perf_counter()
    for first in range(0, len(events), size):
        store.apply_batch(events[first : first + size])
    times["directory store: apply_batch (issue #7)"] = time.perf_counter() - started
    started = time.perf_counter()
    consumer.ack(deliveries)
    times["consumer: batched acks"] = time.perf_counter() - started
    consumer.close()
    if amqp_url:
        _delete_topology(amqp_url, gateway)
    gateway.close()
    _drop_schema(postgres_url, schema)
    records = max(len(result.message.records), 1)
    return {stage: seconds * 1000 / records for stage, seconds in times.items()}


def _drain(gateway: Any, count: int, *, keep: bool = False) -> tuple[list[Any], Any]:
    """Fetch ``count`` directory deliveries; acknowledge them unless ``keep``."""
    consumer = gateway.transport.open_consumer(gateway.names.directory_queue, prefetch=count + 10)
    deliveries: list[Any] = []
    while len(deliveries) < count:
        got = consumer.fetch(count, timeout=10)
        if not got:
            break
        deliveries.extend(got)
    if not keep:
        consumer.ack(deliveries)
        consumer.close()
    return deliveries, consumer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long suppliers keep submitting")
    parser.add_argument("--children", type=int, default=500, help="children per CIN census file")
    parser.add_argument("--files", type=int, default=8, help="distinct files (one LA each), submitted round-robin")
    parser.add_argument("--intakes", type=int, default=1, help="intake processes submitting in parallel")
    parser.add_argument("--consumers", type=int, default=1, help="directory consumer processes")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="offered load in child records/s (default: as fast as intake can)"
    )
    parser.add_argument(
        "--profile",
        default="cin-census-2025-26",
        help="conformance profile the intake checks every file against (explicit; default: the files' DfE pack)",
    )
    args = parser.parse_args()
    amqp_url = os.environ.get("ECM_TEST_AMQP_URL")
    postgres_url = os.environ.get("ECM_TEST_POSTGRES_URL")
    if not amqp_url or not postgres_url:
        raise SystemExit('set the service URLs first: eval "$(scripts/services env)"')
    print(
        f"end to end: CIN census files of {args.children} children, {args.intakes} intake and "
        f"{args.consumers} directory consumer process(es), profile {args.profile}, "
        f"offered load {f'{args.rate:.0f} records/s' if args.rate else 'as fast as intake can'}, "
        f"suppliers submitting for {args.seconds:.0f} s ...",
        flush=True,
    )
    result = end_to_end(args, amqp_url, postgres_url)
    print(f"raw floor: pika, {result['events']} messages of {result['body_size']} bytes ...", flush=True)
    floor, publish_only = raw_floor(amqp_url, max(result["events"], 1000), result["body_size"])
    sustained = min(result["windows"])
    print()
    print(
        f"outcomes: {result['outcomes']}; child records accepted {result['records']}; "
        f"directory events committed {result['events']} of {result['expected']}"
    )
    print(f"worker exit codes after SIGTERM: {result['exit_codes']}")
    print(
        f"end to end:   {result['rate']:8.0f} child records/s over {result['elapsed']:.1f} s "
        f"(receipt of the first message to the last directory commit)"
    )
    print(
        f"sustained:    {sustained:8.0f} records/s in the slowest 10 s window "
        f"(median {statistics.median(result['windows']):.0f}, {len(result['windows'])} windows)"
    )
    print(
        f"latency:      p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms (receipt -> store commit)"
    )
    print(
        f"raw floor:    {floor:8.0f} messages/s (publish with windowed confirms + consume with batched acks; "
        f"publishing alone {publish_only:.0f}/s)"
    )
    print(f"ratio:        {result['rate'] / floor:8.1%} of the raw floor (target >= 30%)")
    print("\nbreakdown, one stage at a time in one process (ms per child record):")
    stages = breakdown(args, amqp_url, postgres_url)
    for stage, milliseconds in stages.items():
        print(f"  {milliseconds:7.3f}  {stage}")
    print(f"  {sum(stages.values()):7.3f}  one record's whole path (2 cores shared by every process and the servers)")
    print(
        f"target 1,000 records/s sustained for a minute: "
        f"{'met' if sustained >= 1000 and result['elapsed'] >= 60 else 'NOT met'}; "
        f"30% of the floor: {'met' if result['rate'] >= 0.3 * floor else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
