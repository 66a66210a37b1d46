"""What message-store retention costs: the child index written with every outcome, and the retention job.

Run: .venv/bin/python bench/retention.py [DATABASE_URL]   (default: a SQLite file in a temporary folder)

1. ``record_outcome`` of MESSAGES messages of RECORDS child records each, with the message -> children index
   (as shipped) beside the baseline measured in the same run: the same calls with the index switched off.
2. ``ecm-gateway retention run``'s function removing all those payloads: messages and records per second.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gateway.audit import AuditLog
from gateway.model import CanonicalMessage, Child, ChildRecord, LocalId, PersonName
from gateway.pipeline import new_envelope
from gateway.routing.retention import RetentionPolicy, RoutingCopies, run_retention
from gateway.storage import MessageStore, open_database
from gateway.storage import messages as messages_module

MESSAGES = 200
RECORDS = 50
ROUNDS = 3


def _message(index: int) -> tuple[CanonicalMessage, list[tuple[str, bytes]]]:
    files = [(f"m{index}.jsonl", f"synthetic payload {index}".encode() * 200)]
    envelope = new_envelope(files, supplier_id="bench", la_code="201", format_id="canonical-jsonl")
    records = tuple(
        ChildRecord(
            child=Child(
                child_id=f"g-{index}-{n}",
                local_ids=(LocalId(la_code="201", la_child_id=f"C{index:04d}{n:04d}"),),
                names=(PersonName(given=("Test",), family=f"Bench-{n}"),),
                birth_date=date(2015, 1, 1) + timedelta(days=n),
            )
        )
        for n in range(RECORDS)
    )
    return CanonicalMessage(envelope=envelope, records=records), files


def _record_all(store: MessageStore, batch: list[tuple[CanonicalMessage, list[tuple[str, bytes]]]]) -> float:
    for message, files in batch:
        store.receive(message.envelope, files)
    start = time.perf_counter()
    for message, _ in batch:
        store.record_outcome(message, "accepted")
    return time.perf_counter() - start


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="ecm-bench-retention-"))
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{(folder / 'bench.sqlite3').as_posix()}"
    database = open_database(url)
    store = MessageStore(database, audit=AuditLog(), copies=RoutingCopies())
    indexed: list[float] = []
    baseline: list[float] = []
    original = getattr(messages_module, "index_children")  # noqa: B009 - switched off for the baseline
    for _ in range(ROUNDS):
        baseline_batch = [_message(i) for i in range(MESSAGES)]
        setattr(messages_module, "index_children", lambda _conn, _message: None)  # noqa: B010
        baseline.append(_record_all(store, baseline_batch))
        setattr(messages_module, "index_children", original)  # noqa: B010
        indexed.append(_record_all(store, [_message(i) for i in range(MESSAGES)]))
    per_base = statistics.median(baseline) / MESSAGES * 1000
    per_indexed = statistics.median(indexed) / MESSAGES * 1000
    print(f"database: {database.dialect}; {MESSAGES} messages x {RECORDS} records, median of {ROUNDS} rounds")
    print(f"record_outcome without the child index (baseline): {per_base:.2f} ms/message")
    print(f"record_outcome with the child index:               {per_indexed:.2f} ms/message")
    print(f"ratio indexed / baseline: {per_indexed / per_base:.2f}")
    total = MESSAGES * ROUNDS * 2
    start = time.perf_counter()
    report = run_retention(
        database, RetentionPolicy(), audit=AuditLog(), now=datetime.now(UTC) + timedelta(days=31), directory=False
    )
    elapsed = time.perf_counter() - start
    removed = report.counts["delivered"]
    print(f"retention run: {removed} of {total} payloads removed in {elapsed:.2f} s")
    print(f"  {removed / elapsed:.0f} messages/s, {removed * RECORDS / elapsed:.0f} child records/s")
    database.dispose()


if __name__ == "__main__":
    main()
