"""Purge tombstones for messages received but not yet processed (revision 0204's ``message_purges``): a record
about a child purged after its message was received is found, and dropped with its issues renumbered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gateway.model import CanonicalMessage, ChildRecord, Issue
from gateway.pipeline import new_envelope
from gateway.storage import Database
from gateway.storage.payloads import (
    PURGED_RECORD_RULE,
    child_keys,
    purged_positions,
    record_purges,
    without_records,
)
from gateway.storage.tables import message_purges
from tests.gateway.routing.support import child


def message(*records: ChildRecord, issues: tuple[Issue, ...] = ()) -> CanonicalMessage:
    envelope = new_envelope([("f.jsonl", b"x")], supplier_id="acme", la_code="201", format_id="canonical-jsonl")
    return CanonicalMessage(envelope=envelope, records=records, issues=issues)


def test_only_records_about_a_child_purged_after_receipt_are_found(database: Database) -> None:
    stuck = message(child(1), child(2), child(3, purge=True), child(4))
    at = stuck.envelope.received_at
    with database.engine.begin() as conn:
        record_purges(conn, child_keys(child(1)) | child_keys(child(3)), "p-1", at + timedelta(seconds=5))
        record_purges(conn, child_keys(child(4)), "p-0", at - timedelta(seconds=5))  # purged before receipt
    with database.engine.connect() as conn:
        # child 4 was sent again after its purge; child 3's own purge request is never dropped
        assert purged_positions(conn, stuck) == [0]


def test_the_latest_purge_wins(database: Database) -> None:
    stuck = message(child(1))
    at = stuck.envelope.received_at
    keys = child_keys(child(1))
    with database.engine.begin() as conn:
        record_purges(conn, keys, "p-old", at - timedelta(days=1))
    with database.engine.connect() as conn:
        assert purged_positions(conn, stuck) == []
    with database.engine.begin() as conn:
        record_purges(conn, keys, "p-new", at + timedelta(seconds=1))
        record_purges(conn, keys, "p-older", at - timedelta(days=2))  # an earlier time never moves it back
    with database.engine.connect() as conn:
        assert purged_positions(conn, stuck) == [0]
        assert set(conn.execute(select(message_purges.c.message_id)).scalars()) == {"p-new"}
        assert set(conn.execute(select(message_purges.c.child_key)).scalars()) == keys  # digests, no ids in clear
        assert not any("C000001" in key for key in keys)


def test_dropping_records_renumbers_issue_paths_and_says_why() -> None:
    issues = (
        Issue(rule="r/a", severity="warning", message="m", canonical_path="/records/0/child/sex", child="C000000"),
        Issue(rule="r/b", severity="error", message="m", canonical_path="/records/1/child", child="C000001"),
        Issue(rule="r/c", severity="warning", message="m", canonical_path="/records/2"),
        Issue(rule="r/d", severity="information", message="m"),
    )
    kept = without_records(message(child(0), child(1), child(2), issues=issues), [1])
    assert [r.child.local_ids[0].la_child_id for r in kept.records] == ["C000000", "C000002"]
    assert [(i.rule, i.canonical_path, i.child) for i in kept.issues] == [
        ("r/a", "/records/0/child/sex", "C000000"),
        ("r/b", None, None),  # about the dropped record: no path into it, no council id
        ("r/c", "/records/1", None),
        ("r/d", None, None),
        (PURGED_RECORD_RULE, None, None),
    ]
    assert kept.issues[-1].severity == "warning" and "record 2" in kept.issues[-1].message
    assert "C00000" not in kept.issues[-1].message
    assert without_records(kept, []) is kept
