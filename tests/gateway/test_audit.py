"""The audit log is a hash chain: edits, deletions, reorderings and truncation are found and located."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from gateway.access import Caller
from gateway.audit import GENESIS_HASH, AuditEntry, AuditLog, Checkpoint
from gateway.errors import StorageError
from gateway.storage import Database
from gateway.storage.tables import audit_head, audit_log

CALLER = Caller(user_id="u-1", organisation_code="ORG-1")
START = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def _fill(database: Database, log: AuditLog, count: int = 6) -> None:
    for index in range(count):
        with database.engine.begin() as conn:
            log.append(
                conn,
                AuditEntry.by(
                    CALLER,
                    "directory.search",
                    "safeguarding",
                    "found",
                    query={"family_name": f"name{index}", "birth_date": date(2015, 1, index + 1), "none": None},
                    result_ids=[f"c-{index}", "c-x"],
                ),
                at=START + timedelta(seconds=index, microseconds=123),
            )


def _kinds(log: AuditLog, database: Database, **kwargs: object) -> list[tuple[str, int]]:
    report = log.verify(database.engine, **kwargs)  # type: ignore[arg-type]
    return [(problem.kind, problem.seq) for problem in report.problems]


def test_an_untouched_chain_verifies(database: Database) -> None:
    log = AuditLog()
    assert log.verify(database.engine).ok  # empty
    _fill(database, log)
    report = log.verify(database.engine)
    assert report.ok and report.checked == 6 and report.last_seq == 6
    entries = log.entries(database.engine)
    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert entries[0].entry.query == {"family_name": "name0", "birth_date": "2015-01-01"}
    assert entries[0].at == START + timedelta(microseconds=123)


def test_an_edited_entry_is_found_where_it_is(database: Database) -> None:
    log = AuditLog()
    _fill(database, log)
    with database.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(result_ids=["c-2"]))
    assert _kinds(log, database) == [("edited", 3)]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(database: Database) -> None:
    log = AuditLog()
    _fill(database, log)
    with database.engine.begin() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 3)).mappings().one()
        forged = AuditEntry(row["actor_user"], row["actor_org"], row["action"], "other reason", row["outcome"])
        content = forged.content(START + timedelta(seconds=2, microseconds=123))
        digest = log._digest(row["prev_hash"], content)
        conn.execute(
            update(audit_log)
            .where(audit_log.c.seq == 3)
            .values(reason="other reason", query={}, result_ids=[], hash=digest)
        )
    assert _kinds(log, database) == [("out-of-order", 4)]


def test_a_deleted_entry_leaves_a_gap(database: Database) -> None:
    log = AuditLog()
    _fill(database, log)
    with database.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    assert _kinds(log, database) == [("deleted", 2)]


def test_reordered_entries_no_longer_follow_each_other(database: Database) -> None:
    log = AuditLog()
    _fill(database, log)
    with database.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(seq=100))
        conn.execute(update(audit_log).where(audit_log.c.seq == 5).values(seq=4))
        conn.execute(update(audit_log).where(audit_log.c.seq == 100).values(seq=5))
    assert _kinds(log, database) == [("out-of-order", 4), ("out-of-order", 5), ("out-of-order", 6)]


def test_truncation_is_found_against_the_head(database: Database) -> None:
    log = AuditLog()
    _fill(database, log)
    with database.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 5))
    report = log.verify(database.engine)
    assert [(p.kind, p.seq) for p in report.problems] == [("truncated", 5)]
    assert report.last_seq == 4


def test_truncation_with_a_rewound_head_is_found_by_the_key_or_a_checkpoint(database: Database) -> None:
    log = AuditLog(key=b"kept-outside-the-database")
    _fill(database, log)
    checkpoint = log.checkpoint(database.engine)
    assert checkpoint.seq == 6
    with database.engine.begin() as conn:
        last = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == 4)).scalar_one()
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 5))
        conn.execute(update(audit_head).values(seq=4, hash=last))  # the attacker cannot sign the head
    assert ("head-tampered", 4) in _kinds(log, database)
    unkeyed = AuditLog()  # without the key, only an external checkpoint shows the cut
    assert ("truncated", 6) in _kinds(unkeyed, database, checkpoints=[checkpoint])


def test_a_keyed_chain_cannot_be_rewritten_without_the_key(database: Database) -> None:
    log = AuditLog(key=b"secret")
    _fill(database, log, count=3)
    forger = AuditLog()  # recomputes plain SHA-256 hashes: cannot produce the HMACs
    with database.engine.begin() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).mappings().one()
        entry = AuditEntry(row["actor_user"], row["actor_org"], row["action"], "forged", row["outcome"])
        digest = forger._digest(row["prev_hash"], entry.content(START + timedelta(seconds=1, microseconds=123)))
        conn.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(reason="forged", query={}, result_ids=[], hash=digest)
        )
    assert ("edited", 2) in _kinds(log, database)


def test_checkpoints_prove_an_unchanged_prefix(database: Database) -> None:
    log = AuditLog()
    _fill(database, log, count=3)
    checkpoint = log.checkpoint(database.engine)
    _fill(database, log, count=2)
    assert log.verify(database.engine, checkpoints=[checkpoint]).ok
    assert _kinds(log, database, checkpoints=[Checkpoint(seq=2, hash="f" * 64)]) == [("checkpoint", 2)]


def test_the_audit_entry_shares_the_actions_transaction(database: Database) -> None:
    log = AuditLog()
    with pytest.raises(RuntimeError), database.engine.begin() as conn:
        log.append(conn, AuditEntry.by(CALLER, "directory.view", "safeguarding", "found"))
        raise RuntimeError("the action failed")
    assert log.entries(database.engine) == []
    assert log.checkpoint(database.engine) == Checkpoint(0, GENESIS_HASH)


def test_without_a_head_nothing_can_be_audited(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(delete(audit_head))
    with pytest.raises(StorageError, match="head"), database.engine.begin() as conn:
        AuditLog().append(conn, AuditEntry.by(CALLER, "directory.view", "safeguarding", "found"))
    with database.engine.begin() as conn:
        conn.execute(insert(audit_head).values(id=1, seq=0, hash=GENESIS_HASH, mac=None))
    assert AuditLog().verify(database.engine).ok


def test_a_rotated_key_keeps_older_entries_verifiable_only_with_the_previous_key(database: Database) -> None:
    _fill(database, AuditLog(key=b"first-key"), count=3)
    _fill(database, AuditLog(key=b"second-key"), count=3)
    assert [kind for kind, _ in _kinds(AuditLog(key=b"second-key"), database)] == ["edited"] * 3
    assert AuditLog(key=b"second-key", previous_keys=[b"first-key"]).verify(database.engine).ok
    assert _kinds(AuditLog(key=b"second-key", previous_keys=[b"someone-elses"]), database)[:1] == [("edited", 1)]


def test_entries_from_before_the_key_was_set_verify_up_to_the_stated_entry_and_stay_bound(
    database: Database,
) -> None:
    _fill(database, AuditLog(), count=3)
    _fill(database, AuditLog(key=b"the-key"), count=3)
    assert ("edited", 1) in _kinds(AuditLog(key=b"the-key"), database)
    log = AuditLog(key=b"the-key", unkeyed_through=3)
    assert log.verify(database.engine).ok
    assert _kinds(AuditLog(key=b"the-key", unkeyed_through=2), database) == [("edited", 3)]  # the boundary is exact

    # Without the key, someone rewrites entry 2 and recomputes the plain hashes of 2 and 3: the first
    # signed entry (4) still names the old hash of 3, and cannot be re-signed.
    forger = AuditLog()
    with database.engine.begin() as conn:
        rows = {row["seq"]: row for row in conn.execute(select(audit_log).where(audit_log.c.seq <= 3)).mappings()}
        prev = rows[1]["hash"]
        for seq in (2, 3):
            stored = rows[seq]
            reason = "forged" if seq == 2 else stored["reason"]
            entry = AuditEntry(
                stored["actor_user"], stored["actor_org"], stored["action"], reason, stored["outcome"],
                query=dict(stored["query"]), result_ids=tuple(stored["result_ids"]),
            )  # fmt: skip
            digest = forger._digest(prev, entry.content(stored["at"].replace(tzinfo=UTC)))
            conn.execute(
                update(audit_log).where(audit_log.c.seq == seq).values(reason=reason, prev_hash=prev, hash=digest)
            )
            prev = digest
    assert _kinds(log, database) == [("out-of-order", 4)]
