"""Set-based batches in the CAF store: applying events in batches gives exactly what applying them one at a
time gives — every outcome, every CAF version kept, every consent with its sticky withdrawal.

Each Hypothesis example materialises one schedule twice under different id prefixes in the same database,
applies one copy in random batches and the other one event at a time, and compares.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, select

from gateway import CafAssessment, Consent, Practitioner
from gateway.caf import CafStore
from gateway.caf.consumer import record_withdrawal
from gateway.events import Event
from gateway.storage import Database
from gateway.storage.tables import caf_assessments, caf_consents, caf_inbox, caf_versions
from tests.databases import wait_until_blocked
from tests.gateway.store_data import caf_event, withdrawal_event

GIVEN = datetime(2025, 1, 1, tzinfo=UTC)
LATER = GIVEN + timedelta(days=30)
EARLIER = GIVEN + timedelta(days=10)

Op = tuple[str, int, int, str]
"""(kind, CAF number or earlier op for "again", version, variant)."""

ops = st.one_of(
    st.tuples(
        st.just("upsert"),
        st.integers(0, 1),
        st.integers(1, 4),
        st.sampled_from(
            ["active", "active", "withdrawn", "withdrawn-earlier", "two", "form-1", "too-long", "invalid", "wrong"]
        ),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 1), st.integers(0, 4), st.sampled_from(["k-1", "k-2", "k-1-early"])),
    st.tuples(st.just("wrong-kind"), st.integers(0, 1), st.integers(1, 4), st.just("")),
    st.tuples(st.just("again"), st.integers(0, 20), st.just(0), st.just("")),
)


def _consent(consent_id: str, withdrawn_at: datetime | None = None) -> Consent:
    return Consent(
        consent_id=consent_id, given_by_role="parent", scope=("GP1",), given_at=GIVEN, withdrawn_at=withdrawn_at
    )


def _upsert(caf_id: str, version: int, variant: str, event_id: str) -> Event:
    consents = {
        "withdrawn": (_consent("k-1", LATER),),
        "withdrawn-earlier": (_consent("k-1", EARLIER),),
        "two": (_consent("k-1"), _consent("k-2")),
        "too-long": (_consent("k" * 200),),
    }.get(variant, (_consent("k-1"),))
    caf = CafAssessment(
        caf_id=caf_id,
        version=1 if variant == "form-1" else version,  # the same form version sent again under a new event
        status="completed",
        conclusions=f"v{version} {variant}",
        lead_professional=Practitioner(practitioner_id="lead"),
        consents=consents,
    )
    event = caf_event(caf, version=version, event_id=event_id)
    if variant == "invalid":
        return event.model_copy(update={"payload": {**event.payload, "unexpected": 1}})
    if variant == "wrong":
        return event.model_copy(update={"subject": f"{event.subject}-other"})
    return event


def materialise(prefix: str, schedule: Sequence[Op]) -> list[Event]:
    events: list[Event] = []
    for number, (kind, target, version, variant) in enumerate(schedule):
        event_id = f"{prefix}-e{number}"
        if kind == "again" and events:
            events.append(events[target % len(events)])
            continue
        caf_id = f"{prefix}-caf{target}"
        if kind == "upsert":
            events.append(_upsert(caf_id, version, variant, event_id))
        elif kind == "withdraw":
            at = EARLIER if variant.endswith("-early") else LATER
            withdrawal = withdrawal_event(caf_id, variant.removesuffix("-early"), at, version=version)
            events.append(withdrawal.model_copy(update={"event_id": event_id}))
        elif kind == "wrong-kind":
            wrong = _upsert(caf_id, version, "active", event_id)
            events.append(wrong.model_copy(update={"kind": "directory.child.upsert"}))
    return events


def _plain(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return {key: _plain(item, prefix) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, prefix) for item in value]
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite gives naive UTC back
    return value


def _rows(
    conn: Connection, table: Table, column: str, like: str, prefix: str, *, drop: tuple[str, ...] = ()
) -> list[Any]:
    found = []
    for row in conn.execute(select(table).where(table.c[column].like(like))).mappings():
        values = {key: value for key, value in row.items() if key not in drop}
        if "withdrawal_recorded_at" in values:
            values["withdrawal_recorded_at"] = row["withdrawal_recorded_at"] is not None  # when it was applied
        found.append(_plain(values, prefix))
    return sorted(found, key=repr)


def snapshot(store: CafStore, prefix: str) -> dict[str, Any]:
    with store.database.engine.connect() as conn:
        return {
            "assessments": _rows(conn, caf_assessments, "caf_id", f"{prefix}-%", prefix, drop=("stored_at",)),
            "consents": _rows(conn, caf_consents, "caf_id", f"{prefix}-%", prefix),
            "versions": _rows(conn, caf_versions, "subject", f"caf:{prefix}-%", prefix),
            "inbox": _rows(conn, caf_inbox, "event_id", f"{prefix}-%", prefix, drop=("applied_at",)),
        }


def earliest_withdrawals(events: list[Event], outcomes: list[str], prefix: str) -> dict[tuple[str, str], datetime]:
    """The oracle of sticky withdrawals: each consent's earliest withdrawal in any event processed (a stale
    copy's too); no later event moves it."""
    found: dict[tuple[str, str], datetime] = {}
    for event, outcome in zip(events, outcomes, strict=True):
        if outcome not in ("applied", "stale"):
            continue
        if event.kind == "caf.consent.withdrawn":
            times = [(event.payload["consent_id"], datetime.fromisoformat(event.payload["withdrawn_at"]))]
            caf_id = event.payload["caf_id"]
        else:
            caf = event.payload["assessment"]
            caf_id = caf["caf_id"]
            times = [
                (consent["consent_id"], datetime.fromisoformat(consent["withdrawn_at"]))
                for consent in caf["consents"]
                if consent.get("withdrawn_at")
            ]
        for consent_id, at in times:
            key = (caf_id.replace(prefix, ""), consent_id)
            found[key] = min(at, found.get(key, at))
    return found


def test_batches_give_what_one_at_a_time_gives(database: Database) -> None:
    store = CafStore(database)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @example(
        schedule=[
            ("withdraw", 0, 0, "k-1"),  # before the CAF arrives
            ("upsert", 0, 2, "active"),  # cannot make it active again
            ("upsert", 0, 1, "withdrawn-earlier"),  # stale, but its earlier withdrawal still applies
            ("upsert", 0, 3, "two"),
            ("again", 1, 0, ""),
            ("upsert", 0, 4, "form-1"),  # rewrites form version 1
            ("upsert", 0, 5, "too-long"),
        ],
        seeded={0},
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
            for number in sorted(seeded):  # a CAF held before
                seed = _upsert(f"{prefix}-caf{number}", 1, "active", f"{prefix}-seed{number}")
                assert store.apply(seed).outcome == "applied"
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
        held = snapshot(store, sides["batched"])
        assert held == snapshot(store, sides["single"])
        withdrawals = earliest_withdrawals(single, [outcome for outcome, _ in expected], sides["single"])
        assert {(row["caf_id"], row["consent_id"]): row["withdrawn_at"] for row in held["consents"]} == {
            key: withdrawals.get(key) for key in ((row["caf_id"], row["consent_id"]) for row in held["consents"])
        }

    check()


def test_a_withdrawal_recorded_while_a_batch_runs_is_never_undone(database: Database) -> None:
    """A practitioner records a withdrawal (uncommitted) while the consumer applies a newer copy of the CAF
    that still shows the consent active: the consumer waits, and the withdrawal stands."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    store = CafStore(database)
    assert store.apply(_upsert("caf-race", 1, "active", "race-1")).outcome == "applied"
    outcome: list[str] = []
    with database.engine.connect() as practitioner:
        transaction = practitioner.begin()
        assert record_withdrawal(practitioner, "caf-race", "k-1", LATER, LATER)
        consumer = threading.Thread(
            target=lambda: outcome.append(store.apply(_upsert("caf-race", 2, "active", "race-2")).outcome)
        )
        consumer.start()
        wait_until_blocked(database, practitioner)
        transaction.commit()
        consumer.join(60)
    assert outcome == ["applied"]
    assert store.withdrawals("caf-race") == {"k-1": LATER}
