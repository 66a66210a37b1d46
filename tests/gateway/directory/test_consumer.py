"""Set-based batches: applying events in batches gives exactly what applying them one at a time gives.

Each Hypothesis example builds one schedule of upserts, purges, redeliveries, stale copies and bad events,
materialises it twice under different id prefixes in the same database, applies one copy in random
batches and the other one event at a time, and compares every outcome and every stored row.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, select

from gateway import Carer, Involvement, LocalId, PersonName
from gateway.directory import DirectoryStore, InvolvementStart
from gateway.errors import StorageError
from gateway.events import Event
from gateway.storage import Database
from gateway.storage.tables import (
    directory_carers,
    directory_children,
    directory_inbox,
    directory_involvements,
    directory_local_ids,
    directory_name_keys,
    directory_versions,
    directory_withheld,
)
from tests.databases import wait_until_blocked
from tests.gateway.store_data import PRACTITIONER, child_record, purge_event, upsert_event

Op = tuple[str, int, int, str]
"""(kind, subject number or earlier op for "again", version, variant)."""

ops = st.one_of(
    st.tuples(
        st.just("upsert"),
        st.integers(0, 1),
        st.integers(1, 4),
        st.sampled_from(["plain", "plain", "shielded", "no-carers", "too-long", "invalid", "wrong-subject"]),
    ),
    st.tuples(st.just("purge"), st.integers(0, 1), st.integers(1, 4), st.just("")),
    st.tuples(st.just("wrong-kind"), st.integers(0, 1), st.integers(1, 4), st.just("")),
    st.tuples(st.just("again"), st.integers(0, 20), st.just(0), st.just("")),
)


def _upsert(subject: str, version: int, variant: str, event_id: str) -> Event:
    fields: dict[str, Any] = {
        "names": (PersonName(given=("Ada",), family=f"V{version}{variant}"),),
        "local_ids": (LocalId(la_code="201", la_child_id=f"L{version}"),),
    }
    if variant == "shielded":
        fields["shielded"] = True
    if variant == "no-carers":
        fields["carers"] = ()
        fields["involvements"] = (
            Involvement(involvement_id="inv-1", service_type="school-nursing"),
            Involvement(involvement_id="inv-1", service_type="youth-service"),  # a repeated id
        )
    if variant == "too-long":
        fields["nhs_number"] = "9" * 40
    if variant == "shielded":
        fields["carers"] = (Carer(names=(PersonName(family="Carer"),)),)
    event = upsert_event(child_record(subject, **fields), version=version, event_id=event_id)
    if variant == "invalid":
        return event.model_copy(update={"payload": {**event.payload, "unexpected": 1}})
    if variant == "wrong-subject":
        return event.model_copy(update={"subject": f"{subject}-other"})
    return event


def materialise(prefix: str, schedule: Sequence[Op]) -> list[Event]:
    events: list[Event] = []
    for number, (kind, target, version, variant) in enumerate(schedule):
        event_id = f"{prefix}-e{number}"
        if kind == "again" and events:
            events.append(events[target % len(events)])
            continue
        subject = f"{prefix}-c{target}"
        if kind == "upsert":
            events.append(_upsert(subject, version, variant, event_id))
        elif kind == "purge":
            events.append(purge_event(subject, version=version).model_copy(update={"event_id": event_id}))
        elif kind == "wrong-kind":
            wrong = _upsert(subject, version, "plain", event_id)
            events.append(wrong.model_copy(update={"kind": "caf.assessment.upsert"}))
    return events


def _plain(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return {key: _plain(item, prefix) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, prefix) for item in value]
    return value


def _rows(conn: Connection, table: Table, column: str, prefix: str, drop: tuple[str, ...] = ()) -> list[Any]:
    rows = conn.execute(select(table).where(table.c[column].like(f"{prefix}-%"))).mappings()
    found = []
    for row in rows:
        values = {key: value for key, value in row.items() if key not in drop}
        if values.get("recorded_by") == "practitioner":
            values["involvement_id"] = "p-*"  # made up by the store when recorded
        for key in ("archived_at", "purged_at"):
            if key in row:
                values[key] = row[key] is not None
        found.append(_plain(values, prefix))
    return sorted(found, key=repr)


def snapshot(store: DirectoryStore, prefix: str) -> dict[str, Any]:
    """Everything the store holds about the prefix's children, with the prefix taken out of every value."""
    with store.database.engine.connect() as conn:
        held = {
            table.name: _rows(conn, table, "child_id", prefix)
            for table in (directory_local_ids, directory_carers, directory_name_keys, directory_withheld)
        }
        held["children"] = _rows(conn, directory_children, "child_id", prefix, drop=("updated_at",))
        held["involvements"] = _rows(conn, directory_involvements, "child_id", prefix)
        held["versions"] = _rows(conn, directory_versions, "subject", prefix)
        held["inbox"] = _rows(conn, directory_inbox, "event_id", prefix, drop=("applied_at",))
    purges = [
        (stored.entry.subject, stored.entry.query.get("event_id"))
        for stored in store.audit.entries(store.database.engine, limit=100_000)
        if stored.entry.action == "directory.purge" and (stored.entry.subject or "").startswith(f"{prefix}-")
    ]
    held["purges"] = _plain(purges, prefix)
    return held


def test_batches_give_what_one_at_a_time_gives(database: Database) -> None:
    store = DirectoryStore(database)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @example(schedule=[("upsert", 0, 2, "plain"), ("purge", 0, 3, "")], seeded={0}, sizes=[12])
    @example(schedule=[("purge", 0, 2, ""), ("upsert", 0, 3, "shielded")], seeded={0}, sizes=[12])
    @example(
        schedule=[
            ("upsert", 0, 3, "plain"),
            ("upsert", 0, 2, "shielded"),  # stale within the batch
            ("again", 0, 0, ""),  # a redelivery within the batch
            ("upsert", 0, 4, "too-long"),  # rejected: the next one at the same version still applies
            ("upsert", 0, 4, "no-carers"),
            ("upsert", 1, 1, "plain"),  # stale against the entry held before
        ],
        seeded={0, 1},
        sizes=[12],
    )
    @given(
        schedule=st.lists(ops, min_size=1, max_size=12),
        seeded=st.sets(st.integers(0, 1)),
        sizes=st.lists(st.integers(2, 12), min_size=1, max_size=6),
    )
    def check(schedule: list[Op], seeded: set[int], sizes: list[int]) -> None:
        tag = uuid.uuid4().hex[:8]
        sides = {"batched": f"b{tag}", "single": f"s{tag}"}
        for prefix in sides.values():
            for number in sorted(seeded):  # an entry held before, with a practitioner's own involvement
                assert store.apply(_upsert(f"{prefix}-c{number}", 1, "plain", f"{prefix}-seed{number}")).outcome == (
                    "applied"
                )
                start = InvolvementStart(service_type="youth", start=child_record().child.birth_date)
                store.record_involvement(f"{prefix}-c{number}", PRACTITIONER, start)
        batched = materialise(sides["batched"], schedule)
        single = materialise(sides["single"], schedule)
        outcomes: list[tuple[str, str | None]] = []
        first, turn = 0, 0
        while first < len(batched):
            size = sizes[turn % len(sizes)]
            results = store.apply_batch(batched[first : first + size])
            outcomes.extend((result.outcome, result.reason) for result in results)
            first, turn = first + size, turn + 1
        expected = [(result.outcome, result.reason) for result in map(store.apply, single)]
        assert outcomes == expected
        assert snapshot(store, sides["batched"]) == snapshot(store, sides["single"])

    check()


def test_a_batch_touching_many_children_uses_a_few_statements(database: Database) -> None:
    """The point of set-based batches: the statement count does not grow with the batch."""
    store = DirectoryStore(database)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    from sqlalchemy import event  # noqa: PLC0415

    def apply(events: list[Event]) -> None:
        statements.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            results = store.apply_batch(events)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        assert {result.outcome for result in results} == {"applied"}

    apply([_upsert(f"few-{n}", 1, "plain", f"few-e{n}") for n in range(3)])
    few = len(statements)
    apply([_upsert(f"many-{n}", 1, "plain", f"many-e{n}") for n in range(60)])
    assert len(statements) == few
    apply([_upsert(f"many-{n}", 2, "shielded", f"many-again-e{n}") for n in range(60)])  # replacing entries
    assert len(statements) <= few + 8


def test_concurrent_consumers_end_at_the_latest_version_of_each_child(database: Database) -> None:
    """Three consumers get every event (redeliveries), shuffled differently, in overlapping batches. A batch
    that fails on a conflict with another consumer is applied again later, as the broker would redeliver it;
    in the end each child is at its latest version and every event is in the inbox once."""
    store = DirectoryStore(database)
    latest = 12
    events = [
        _upsert(f"cc-{n}", version, "plain", f"cc-{n}-v{version:02d}")
        for n in range(4)
        for version in range(1, latest + 1)
    ]
    events += [purge_event("cc-0", version=latest + 1).model_copy(update={"event_id": "cc-0-purge"})]
    streams = []
    for seed in (1, 2, 3):
        stream = list(events)
        random.Random(seed).shuffle(stream)
        streams.append(stream)
    failures: list[BaseException] = []

    def consume(stream: list[Event]) -> None:
        try:
            for first in range(0, len(stream), 6):
                for _attempt in range(50):
                    try:
                        store.apply_batch(stream[first : first + 6])
                        break
                    except StorageError:
                        continue  # redelivered: another consumer committed, or conflicted, first
                else:
                    raise AssertionError("a batch was never applied")
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=consume, args=(stream,)) for stream in streams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert store.child_ids() == ["cc-1", "cc-2", "cc-3"]
    with database.engine.connect() as conn:
        for n in range(4):
            assert store.version(f"cc-{n}") == (latest + 1 if n == 0 else latest)
            names = conn.execute(
                select(directory_children.c.names).where(directory_children.c.child_id == f"cc-{n}")
            ).scalar_one_or_none()
            assert names is None if n == 0 else names[0]["family"] == f"V{latest}plain"
        inbox = conn.execute(select(directory_inbox.c.event_id).where(directory_inbox.c.event_id.like("cc-%")))
        assert sorted(inbox.scalars()) == sorted(event.event_id for event in events)


def test_a_batch_waits_for_a_concurrent_newer_version_and_finds_itself_stale(database: Database) -> None:
    """Another consumer holds version 3 uncommitted: this one's version 2 waits for it, then is stale (it
    must not decide on what was committed before and overwrite version 3 once the lock is released)."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    store = DirectoryStore(database)
    assert store.apply(_upsert("race", 1, "plain", "race-v1")).outcome == "applied"
    outcome: list[str] = []
    with database.engine.connect() as other:
        transaction = other.begin()
        assert store.apply_batch([_upsert("race", 3, "plain", "race-v3")], connection=other)[0].outcome == "applied"
        waiting = threading.Thread(
            target=lambda: outcome.append(store.apply(_upsert("race", 2, "plain", "race-v2")).outcome)
        )
        waiting.start()
        wait_until_blocked(database, other)
        transaction.commit()
        waiting.join(60)
    assert outcome == ["stale"]
    assert store.version("race") == 3
    with database.engine.connect() as conn:
        names = conn.execute(
            select(directory_children.c.names).where(directory_children.c.child_id == "race")
        ).scalar_one()
    assert names[0]["family"] == "V3plain"
