"""The outbox: outcome and events in one transaction, monotonic versions, claims, leases, confirms."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from gateway.events import Event
from gateway.pipeline import new_envelope
from gateway.routing.outbox import Outbox, assign_versions
from gateway.routing.tables import outbox as outbox_table
from gateway.storage import Database
from tests.gateway.routing.support import child, jsonl, routed_intake


def events(outbox: Outbox, database: Database) -> list[Event]:
    with database.engine.connect() as conn:
        bodies = conn.execute(
            select(outbox_table.c.body).where(outbox_table.c.kind != "supplier.delivery").order_by("outbox_id")
        ).scalars()
        return [Event.model_validate_json(body) for body in bodies]


def test_an_accepted_message_writes_its_outcome_and_events_together(database: Database) -> None:
    intake, outbox = routed_intake(database)
    result = intake.submit(
        [("c.jsonl", jsonl([child(1), child(2, caf_consent="none")]))], supplier_id="a", la_code="201"
    )
    assert result.outcome == "accepted"
    written = events(outbox, database)
    assert [e.kind for e in written] == ["directory.child.upsert", "caf.assessment.upsert", "directory.child.upsert"]
    assert {e.message_id for e in written} == {result.message.envelope.message_id}
    assert all(e.version == 1 for e in written)
    assert outbox.stats().pending == 3


def test_versions_rise_per_subject_across_messages(database: Database) -> None:
    intake, outbox = routed_intake(database)
    for _ in range(3):
        intake.submit([("c.jsonl", jsonl([child(1, caf_consent="none")]))], supplier_id="a", la_code="201")
    assert [e.version for e in events(outbox, database)] == [1, 2, 3]


def test_a_failed_outbox_write_leaves_no_outcome_behind(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    intake, outbox = routed_intake(database)

    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "write", broken)
    with pytest.raises(RuntimeError):
        intake.submit([("c.jsonl", jsonl([child(1)]))], supplier_id="a", la_code="201", message_id="m-1")
    assert intake.store.status("m-1") == "received"  # kept for replay; no outcome without its events
    assert outbox.stats().pending == 0


def test_a_message_received_again_is_not_routed_twice(database: Database) -> None:
    intake, outbox = routed_intake(database)
    payload = [("c.jsonl", jsonl([child(1)]))]
    first = intake.submit(payload, supplier_id="a", la_code="201", message_id="m-1")
    again = intake.submit(payload, supplier_id="a", la_code="201", message_id="m-1")
    assert (first.duplicate, again.duplicate, again.outcome) == (False, True, "accepted")
    assert again.message.records == first.message.records
    assert outbox.stats().pending == 2


def test_a_receipt_without_an_outcome_is_finished_when_the_message_comes_again(database: Database) -> None:
    intake, outbox = routed_intake(database)
    payload = [("c.jsonl", jsonl([child(1, caf_consent="none")]))]
    envelope = new_envelope(payload, supplier_id="a", la_code="201", format_id="canonical-jsonl", message_id="m-2")
    intake.store.receive(envelope, payload)  # the process stopped here last time
    result = intake.submit(payload, supplier_id="a", la_code="201", message_id="m-2")
    assert (result.duplicate, result.outcome, intake.store.status("m-2")) == (False, "accepted", "accepted")
    assert outbox.stats().pending == 1


def test_claim_lease_confirm_and_release(database: Database) -> None:
    intake, outbox = routed_intake(database)
    intake.submit(
        [("c.jsonl", jsonl([child(n, caf_consent="none") for n in range(5)]))], supplier_id="a", la_code="201"
    )
    first = outbox.claim(3, lease=60)
    assert [row.attempts for row in first] == [1, 1, 1]
    second = outbox.claim(10, lease=60)
    assert len(second) == 2 and not {r.outbox_id for r in first} & {r.outbox_id for r in second}
    assert outbox.claim(10, lease=60) == []  # all leased
    outbox.mark_sent([row.outbox_id for row in first])
    outbox.release([(row.outbox_id, "unknown: connection lost") for row in second], backoff=0)
    again = outbox.claim(10, lease=60)
    assert [row.outbox_id for row in again] == [row.outbox_id for row in second]
    assert again[0].attempts == 2
    assert outbox.stats().pending == 2
    assert all(sent for *_, sent in outbox.for_message(first[0].message_id)[:3])


def test_concurrent_writers_never_share_a_version(database: Database) -> None:
    errors: list[BaseException] = []

    def reserve() -> None:
        try:
            for _ in range(20):
                with database.engine.begin() as conn:
                    assign_versions(conn, Counter({"s-1": 2, "s-2": 1}))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with database.engine.begin() as conn:
        assert assign_versions(conn, Counter({"s-1": 1, "s-2": 1})) == {"s-1": 121, "s-2": 61}
    with database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox_table)).scalar_one() == 0
