"""Property: whatever the interleaving of duplicates, reorderings and redeliveries, a store ends holding the
latest version of each child (or nothing, when the latest is a purge), each event applied at most once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gateway.directory.store import DirectoryStore
from gateway.events import Event
from gateway.model import PersonName
from gateway.routing.consumer import EventProcessor, Handler
from gateway.storage import Database, open_database
from gateway.storage.tables import directory_children
from gateway.transport import Delivery
from gateway.views import directory_update
from tests.gateway.routing.support import MemoryStore, child

AT = datetime(2026, 6, 1, tzinfo=UTC)


def history(subject: str, number: int, versions: int, purge_at: int | None) -> list[Event]:
    """Versions 1..n of one child: upserts whose family name says the version, maybe one purge."""
    events = []
    for version in range(1, versions + 1):
        if version == purge_at:
            kind, payload = "directory.child.purge", {}
        else:
            record = child(number, caf_consent="none")
            named = record.child.model_copy(
                update={"child_id": subject, "names": (PersonName(given=("Ada",), family=f"V{version}"),)}
            )
            kind = "directory.child.upsert"
            payload = directory_update(record.model_copy(update={"child": named}), at=AT).model_dump(
                mode="json", exclude_none=True
            )
        events.append(
            Event(
                event_id=f"{subject}-v{version}",
                kind=kind,
                subject=subject,
                version=version,
                la_code="201",
                message_id=f"m-{subject}-{version}",
                occurred_at=AT,
                payload=payload,
            )
        )
    return events


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[Event], list[tuple[list[Event], bool]]]:
    """All events, and the batches a consumer sees: (events, committed-but-not-acknowledged)."""
    tag = uuid.uuid4().hex[:8]
    events: list[Event] = []
    for number in range(draw(st.integers(1, 3))):
        versions = draw(st.integers(1, 4))
        purge_at = draw(st.one_of(st.none(), st.integers(1, versions)))
        events.extend(history(f"c{tag}{number}", number, versions, purge_at))
    pending = list(events) + draw(st.lists(st.sampled_from(events), max_size=6))  # duplicates
    pending = draw(st.permutations(pending))  # reordered
    batches: list[tuple[list[Event], bool]] = []
    while pending:
        size = draw(st.integers(1, 4))
        batch, pending = list(pending[:size]), list(pending[size:])
        lost_ack = draw(st.booleans())
        batches.append((batch, lost_ack))
        if lost_ack:  # the consumer died after its commit: the broker delivers the batch again, later
            at = draw(st.integers(0, len(pending)))
            pending[at:at] = batch
            if len(batches) > 40:
                break
    return events, batches


def deliveries(batch: list[Event]) -> list[Delivery]:
    return [
        Delivery("q", e.event_id, "", e.routing_key, e.model_dump_json().encode(), {}, None, 1, i)
        for i, e in enumerate(batch)
    ]


def latest(events: list[Event]) -> dict[str, Event]:
    newest: dict[str, Event] = {}
    for event in events:
        if event.subject not in newest or event.version > newest[event.subject].version:
            newest[event.subject] = event
    return newest


def run(handler: Handler, batches: list[tuple[list[Event], bool]]) -> None:
    processor = EventProcessor(handler)
    for batch, _lost_ack in batches:
        verdicts = processor.process(deliveries(batch))
        assert all(verdict.action == "ack" for verdict in verdicts)


@settings(max_examples=150, deadline=None)
@given(schedules())
def test_reference_store_ends_at_the_latest_version_of_each_child(case: tuple[list[Event], list]) -> None:
    events, batches = case
    store = MemoryStore()
    run(store, batches)
    for subject, event in latest(events).items():
        expected = None if event.kind == "directory.child.purge" else event.payload
        assert store.state.get(subject) == expected
        assert store.versions[subject] == event.version
    assert all(count == 1 for count in store.applied.values())


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DirectoryStore]:
    database: Database = open_database(f"sqlite:///{Path(tmp_path_factory.mktemp('prop')) / 'd.sqlite3'}")
    yield DirectoryStore(database)
    database.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=schedules())
def test_the_directory_store_ends_at_the_latest_version_of_each_child(
    directory: DirectoryStore, case: tuple[list[Event], list]
) -> None:
    events, batches = case
    run(directory, batches)
    with directory.database.engine.connect() as conn:
        for subject, event in latest(events).items():
            assert directory.version(subject) == event.version
            names = conn.execute(
                select(directory_children.c.names).where(directory_children.c.child_id == subject)
            ).scalar_one_or_none()
            if event.kind == "directory.child.purge":
                assert names is None
            else:
                assert names is not None and names[0]["family"] == f"V{event.version}"
