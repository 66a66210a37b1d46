"""Message-store retention on SQLite and PostgreSQL: a purge removes every payload holding the child at once,
the retention job removes payloads past their period, and tombstones keep the ledger and the audit intact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from adapters.transports.local import LocalTransport
from gateway.audit import AuditLog
from gateway.caf import CafStore
from gateway.directory import DirectoryStore
from gateway.errors import PayloadRemoved
from gateway.model import PersonName
from gateway.routing.replay import plan_replay, replay_message
from gateway.routing.retention import RetentionPolicy, RoutingCopies, run_retention
from gateway.routing.router import child_subject
from gateway.routing.tables import dead_letters, outbox
from gateway.storage import Database, MessageStore, open_database
from gateway.storage.payloads import child_keys, messages_holding
from gateway.storage.tables import match_identities, message_children, message_files, messages
from tests.gateway.routing.flow import Flow, make_flow
from tests.gateway.routing.support import child, jsonl

KEY = b"k" * 40
POLICY = RetentionPolicy(delivered=timedelta(days=30), awaiting_replay=timedelta(days=90))


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    flow = make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")
    audit = AuditLog(key=KEY)  # one keyed log for every writer, as the composition root wires it
    flow.intake.store = MessageStore(database, audit=audit, copies=RoutingCopies())
    flow.directory = DirectoryStore(database, audit=audit, events=flow.outbox)
    flow.caf = CafStore(database, audit=audit, events=flow.outbox)
    yield flow


def _submit(flow: Flow, message_id: str, *records: object, supplier: str = "acme") -> None:
    flow.intake.submit(
        [("c.jsonl", jsonl(list(records)))],  # type: ignore[arg-type]
        supplier_id=supplier,
        la_code="201",
        message_id=message_id,
    )


def _removed(flow: Flow) -> dict[str, str | None]:
    with flow.database.engine.connect() as conn:
        rows = conn.execute(select(messages.c.message_id, messages.c.payload_removed_reason)).all()
    return {message_id: reason for message_id, reason in rows}


def _count(flow: Flow, table: object, *where: object) -> int:
    with flow.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())  # type: ignore[arg-type]


def test_a_purge_removes_every_payload_holding_the_child_at_once(flow: Flow) -> None:
    _submit(flow, "m1", child(1), child(2))
    _submit(flow, "m2", child(1))
    _submit(flow, "m3", child(3))
    flow.deliver_all()
    before = flow.ledger()
    _submit(flow, "m4", child(1, purge=True))
    assert _removed(flow) == {"m1": "purge", "m2": "purge", "m3": None, "m4": "purge"}
    store = flow.intake.store
    for message_id in ("m1", "m2", "m4"):
        assert store.files(message_id) == []
        tombstone = store.get(message_id)
        assert tombstone is not None and tombstone.status == "accepted" and tombstone.payload_removed_at
        canonical = store.canonical(message_id)
        assert canonical is not None and canonical.records == ()
    assert store.get("m1").record_count == 2  # type: ignore[union-attr]  # the counts stay
    assert [f.name for f in store.files("m3")] == ["c.jsonl"]
    # sent copies are gone; what is not yet sent (m4's purge event) still goes out, and the ledger balances
    assert _count(flow, outbox, outbox.c.message_id.in_(["m1", "m2"])) == 0
    assert _count(flow, outbox, outbox.c.message_id == "m3") > 0
    flow.deliver_all()
    held = flow.directory.child_ids()
    assert child_subject(child(1), "m1", 0) not in held and child_subject(child(2), "m1", 1) in held
    after = flow.ledger()
    assert after.balanced and after.totals().received == before.totals().received + 1
    (entry,) = [e.entry for e in store.audit.entries(flow.database.engine) if e.entry.action.startswith("messages.")]
    assert (entry.action, entry.outcome, sorted(entry.result_ids)) == (
        "messages.payload-removed",
        "removed",
        ["m1", "m2", "m4"],
    )
    assert AuditLog(key=KEY).verify(flow.database.engine).ok


def test_a_purged_message_says_clearly_it_cannot_be_replayed(flow: Flow) -> None:
    _submit(flow, "m1", child(1))
    _submit(flow, "m2", child(1, purge=True))
    for replay in (plan_replay, replay_message):
        with pytest.raises(PayloadRemoved, match=r"m1: payload removed on .* purged a child .* send it again"):
            replay(flow.intake, "m1", topology=flow.topology, names=flow.names)
    # the supplier retrying the same message id gets the recorded outcome; nothing is sent again
    rows = _count(flow, outbox)
    again = flow.intake.submit([("c.jsonl", jsonl([child(1)]))], supplier_id="acme", la_code="201", message_id="m1")
    assert again.duplicate and again.outcome == "accepted" and _count(flow, outbox) == rows


def test_purge_empties_dead_letters_of_those_messages(flow: Flow) -> None:
    _submit(flow, "m1", child(1))
    with flow.database.engine.begin() as conn:
        conn.execute(
            insert(dead_letters).values(
                fingerprint="f" * 64,
                queue="ecm.directory",
                message_id="m1",
                event_id="e1",
                kind="directory.child.upsert",
                exchange="ecm.events",
                routing_key="directory.child.upsert.201",
                headers={},
                body=b'{"secret": "Test-1"}',
                reason="poison",
                collected_at=datetime.now(UTC),
                replay_count=0,
            )
        )
    _submit(flow, "m2", child(1, purge=True))
    (letter,) = flow.dead_letters().list()
    assert letter.payload_removed_reason == "purge"
    assert flow.dead_letters().replay([letter.dead_letter_id]) == 0  # nothing left to put back
    flow.deliver_all()
    differences = [d for line in flow.ledger().lines for d in line.differences]
    assert any("m1" in d and "cannot be replayed" in d for d in differences)
    with flow.database.engine.connect() as conn:
        assert conn.execute(select(dead_letters.c.body)).scalar_one() == b""


def test_children_are_indexed_by_gateway_id_and_council_id_digests(flow: Flow) -> None:
    record = child(5)
    resolved = record.model_copy(update={"child": record.child.model_copy(update={"child_id": "g-5"})})
    keys = child_keys(resolved)
    assert "g-5" in keys and len(keys) == 2
    assert all("C000005" not in key for key in keys)  # no identifier in clear
    _submit(flow, "m5", record)
    with flow.database.engine.connect() as conn:
        assert messages_holding(conn, keys) == ["m5"]


def _age(flow: Flow, days: int, *message_ids: str) -> None:
    with flow.database.engine.begin() as conn:
        conn.execute(
            update(messages)
            .where(messages.c.message_id.in_(message_ids))
            .values(received_at=datetime.now(UTC) - timedelta(days=days))
        )


def test_the_retention_job_removes_only_what_is_past_its_period(flow: Flow) -> None:
    _submit(flow, "old", child(1))
    _submit(flow, "new", child(2))
    _submit(flow, "held", child(3))
    flow.deliver_all()
    _submit(flow, "in-flight", child(4))  # not relayed yet: its outbox rows are unsent
    flow.intake.submit([("c.jsonl", b"{not json")], supplier_id="acme", la_code="201", message_id="rejected")
    flow.relay.drain(timeout=30)
    _age(flow, 40, "old", "held", "in-flight", "rejected")
    with flow.database.engine.begin() as conn:
        now = datetime.now(UTC)
        conn.execute(
            insert(match_identities).values(
                record_id="r-held", status="pending", identity={}, created_at=now, updated_at=now,
                held_message_id="held", held_position=0,
            )
        )  # fmt: skip
        conn.execute(update(outbox).where(outbox.c.message_id == "in-flight").values(sent_at=None))
    audit = AuditLog(key=KEY)
    ledger_before = flow.ledger().totals()
    dry = run_retention(flow.database, POLICY, audit=audit, dry_run=True, directory=False)
    assert dry.counts["delivered"] == 1 and dry.counts["awaiting-replay"] == 0
    assert _removed(flow) == dict.fromkeys(["old", "new", "held", "in-flight", "rejected"])  # a dry run changes nothing
    report = run_retention(flow.database, POLICY, audit=audit, directory=False)
    assert report.counts["delivered"] == 1
    assert _removed(flow)["old"] == "retention"
    assert {k for k, v in _removed(flow).items() if v} == {"old"}
    assert _count(flow, message_files, message_files.c.message_id == "old") == 0
    assert _count(flow, message_children, message_children.c.message_id == "old") == 0
    assert _count(flow, outbox, outbox.c.message_id == "old") == 0
    assert _count(flow, outbox, outbox.c.message_id == "in-flight") > 0
    # the rejected message waits 90 days for a fix and a replay, then goes too
    _age(flow, 100, "rejected")
    assert run_retention(flow.database, POLICY, audit=audit, directory=False).counts["awaiting-replay"] == 1
    assert _removed(flow)["rejected"] == "retention"
    ledger_after = flow.ledger().totals()
    assert (ledger_after.received, ledger_after.rejected) == (ledger_before.received, ledger_before.rejected)
    assert audit.verify(flow.database.engine).ok
    actions = [e.entry.action for e in audit.entries(flow.database.engine, limit=1000)]
    assert actions.count("messages.payload-removed") == 2
    again = run_retention(flow.database, POLICY, audit=audit, directory=False)
    assert again.counts["delivered"] == again.counts["awaiting-replay"] == 0  # safe to run again


def test_dead_letters_and_sent_outbox_rows_follow_the_periods(flow: Flow) -> None:
    _submit(flow, "m1", child(1))
    flow.deliver_all()
    now = datetime.now(UTC)
    with flow.database.engine.begin() as conn:
        for number, (replayed, collected) in enumerate([(now - timedelta(days=31), now - timedelta(days=40)),
                                                        (None, now - timedelta(days=40)),
                                                        (None, now - timedelta(days=91))]):  # fmt: skip
            conn.execute(
                insert(dead_letters).values(
                    fingerprint=str(number) * 64, queue="ecm.caf", message_id=None, event_id=f"e{number}",
                    exchange="ecm.events", routing_key="caf.assessment.upsert.201", headers={}, body=b"{}",
                    reason="poison", collected_at=collected, replayed_at=replayed, replay_count=int(bool(replayed)),
                )
            )  # fmt: skip
        conn.execute(  # a sent store event (a break-glass alert): no message of its own
            insert(outbox).values(
                message_id="audit:7", event_id="alert-7", kind="directory.shield.lifted", exchange="ecm.events",
                routing_key="directory.shield.lifted.201", headers={}, content_type="application/json", body=b"{}",
                created_at=now, next_attempt_at=0, attempts=1, sent_at=now,
            )
        )  # fmt: skip
    assert _count(flow, outbox, outbox.c.message_id == "m1") > 0
    report = run_retention(flow.database, POLICY, audit=AuditLog(), now=now + timedelta(days=31), directory=False)
    assert report.counts["dead-letters"] == 2  # replayed over 30 days ago; never replayed and over 90 days old
    assert report.counts["delivered"] == 1 and report.counts["outbox"] == 1  # m1's rows went with its payload
    assert _count(flow, outbox) == 0
    waiting = [letter.event_id for letter in flow.dead_letters().list() if letter.payload_removed_at is None]
    assert waiting == ["e1"]


def test_the_job_archives_and_deletes_directory_entries(flow: Flow) -> None:
    birthday = date.today() + timedelta(days=5)
    if (birthday.month, birthday.day) == (2, 29):
        birthday += timedelta(days=1)
    adult = child(7)
    born = birthday.replace(year=birthday.year - 18)
    adult = adult.model_copy(update={"child": adult.child.model_copy(update={"birth_date": born})})
    _submit(flow, "m7", adult, child(8))
    flow.deliver_all()
    audit = AuditLog()
    soon = datetime.now(UTC) + timedelta(days=10)
    dry = run_retention(flow.database, POLICY, audit=audit, now=soon, dry_run=True)
    assert (dry.counts["archive"], dry.counts["delete-archived"]) == (1, 0)
    seen: list[tuple[str, int]] = []
    report = run_retention(flow.database, POLICY, audit=audit, now=soon, progress=lambda s, n: seen.append((s, n)))
    assert report.counts["archive"] == 1 and ("archive", 1) in seen
    assert len(flow.directory.child_ids(archived=True)) == 1
    later = RetentionPolicy(archived=timedelta(days=0))
    assert run_retention(flow.database, later, audit=audit, now=soon).counts["delete-archived"] == 1
    assert len(flow.directory.child_ids()) == 1
    assert [e.entry.action for e in audit.entries(flow.database.engine, limit=1000)].count("directory.archive") == 1


def test_names_never_reach_a_tombstone(flow: Flow) -> None:
    marked = child(9)
    marked = marked.model_copy(
        update={"child": marked.child.model_copy(update={"names": (PersonName(given=("Zq",), family="Marker"),)})}
    )
    _submit(flow, "m9", marked)
    _submit(flow, "m10", child(9, purge=True))
    with flow.database.engine.connect() as conn:
        row = conn.execute(select(messages.c.canonical, messages.c.issues).where(messages.c.message_id == "m9")).one()
    assert "Marker" not in str(row.canonical) and "C000009" not in str(row.canonical) + str(row.issues)


def test_after_a_purge_no_copy_of_the_child_is_left_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "flow.sqlite3"
    database = open_database(f"sqlite:///{path.as_posix()}")
    flow = make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")
    flow.intake.store = MessageStore(database, copies=RoutingCopies())
    marker = "Wqzxvyjk"
    marked = child(1)
    marked = marked.model_copy(
        update={"child": marked.child.model_copy(update={"names": (PersonName(given=("Zed",), family=marker),)})}
    )
    _submit(flow, "m1", marked, child(2))
    flow.deliver_all()
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert marker.encode() in path.read_bytes()  # in the message store, the outbox and the directory
    _submit(flow, "m2", child(1, purge=True))
    flow.deliver_all()
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    leftovers = b"".join(p.read_bytes() for p in tmp_path.glob("flow.sqlite3*"))
    assert marker.encode() not in leftovers
