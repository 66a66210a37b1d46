"""A supplier's purge reaches the CAF store (``caf.child.purge``), on SQLite and PostgreSQL: the council's CAFs
about the child and their consents are deleted (withdrawals keep a content-free tombstone), other councils'
CAFs stay, and no stale, reordered or redelivered upsert brings a purged CAF back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gateway import CafAssessment, CafDomain, CafDomains, Consent, Organisation, PersonName, Practitioner
from gateway.access import CAF_READ, Caller
from gateway.audit import AuditLog
from gateway.caf import CafStore
from gateway.caf.store import load_caf
from gateway.consent import CafUpdate, caf_subject
from gateway.events import Event
from gateway.storage import Database, open_database
from gateway.storage.tables import caf_assessments, caf_consents, caf_purges

AT = datetime(2026, 1, 5, tzinfo=UTC)
GIVEN_AT = AT - timedelta(days=20)
LEAD = Caller(user_id="p-lead", organisation_code="HV1", roles=frozenset({CAF_READ}))


def _caf(caf_id: str, *, version: int = 1, marker: str = "speech delay", withdrawn: bool = False) -> CafAssessment:
    consent = Consent(
        consent_id=f"k-{caf_id}",
        given_by_role="parent",
        given_by_name=PersonName(given=("Jane",), family="Smith"),
        scope=("GP1",),
        given_at=GIVEN_AT,
        withdrawn_at=GIVEN_AT + timedelta(days=2) if withdrawn else None,
    )
    return CafAssessment(
        caf_id=caf_id,
        version=version,
        assessor=Practitioner(practitioner_id="p-a", organisation=Organisation(code="SCH1")),
        lead_professional=Practitioner(practitioner_id="p-lead"),
        domains=CafDomains(development_of_child=CafDomain(summary=marker)),
        consents=(consent,),
    )


def upsert(
    caf: CafAssessment, *, child_id: str, child_version: int | None, version: int = 1, la_code: str = "201"
) -> Event:
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}",
        kind="caf.assessment.upsert",
        subject=caf_subject(caf.caf_id),
        version=version,
        la_code=la_code,
        message_id=f"m-{uuid.uuid4().hex[:8]}",
        occurred_at=AT,
        payload=CafUpdate(child_id=child_id, assessment=caf).model_dump(mode="json", exclude_none=True),
        child_version=child_version,
    )


def purge(child_id: str, *, version: int, la_code: str = "201") -> Event:
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}",
        kind="caf.child.purge",
        subject=child_id,
        version=version,
        la_code=la_code,
        message_id=f"m-{uuid.uuid4().hex[:8]}",
        occurred_at=AT,
    )


def _rows(database: Database, table_name: str) -> list[dict[str, object]]:
    table = {"caf_assessments": caf_assessments, "caf_consents": caf_consents, "caf_purges": caf_purges}[table_name]
    with database.engine.connect() as conn:
        return [dict(row) for row in conn.execute(select(table)).mappings()]


def test_purge_deletes_the_councils_cafs_and_consents_and_keeps_other_councils(database: Database) -> None:
    audit = AuditLog()
    store = CafStore(database, audit=audit)
    first = upsert(_caf("caf-1"), child_id="c-1", child_version=1)
    results = store.apply_batch(
        [
            first,
            upsert(_caf("caf-1", version=2), child_id="c-1", child_version=2, version=2),
            upsert(_caf("caf-2", withdrawn=True), child_id="c-1", child_version=2),
            upsert(_caf("caf-3"), child_id="c-1", child_version=3, la_code="999"),  # another council's CAF
            upsert(_caf("caf-4"), child_id="c-2", child_version=1),  # another child
        ]
    )
    assert [r.outcome for r in results] == ["applied"] * 5
    assert store.apply(purge("c-1", version=5)).outcome == "applied"

    assert {(row["caf_id"], row["version"]) for row in _rows(database, "caf_assessments")} == {
        ("caf-3", 1),
        ("caf-4", 1),
    }
    consents = {row["consent_id"]: row for row in _rows(database, "caf_consents")}
    assert set(consents) == {"k-caf-2", "k-caf-3", "k-caf-4"}  # k-caf-1 (never withdrawn) is gone
    tombstone = consents["k-caf-2"]  # a withdrawal keeps ids and its time, nothing else
    assert tombstone["record"] == {} and tombstone["withdrawn_at"] is not None
    assert "Smith" not in str(tombstone)
    with database.engine.connect() as conn:
        assert load_caf(conn, "caf-1") is None and load_caf(conn, "caf-2") is None
        assert load_caf(conn, "caf-3") is not None
    assert store.read("caf-1", LEAD, "lead professional") is None
    assert [s.caf_id for s in store.for_child("c-1", LEAD, "lead professional")] == ["caf-3"]
    assert [(row["child_id"], row["la_code"], row["version"]) for row in _rows(database, "caf_purges")] == [
        ("c-1", "201", 5)
    ]
    entries = [stored.entry for stored in audit.entries(database.engine) if stored.entry.action == "caf.purge"]
    assert len(entries) == 1
    assert entries[0].subject == "c-1" and entries[0].outcome == "purged"
    assert sorted(entries[0].result_ids) == ["caf-1@1", "caf-1@2", "caf-2@1"]
    assert entries[0].query["kept_other_councils"] == 1
    assert "speech" not in str(entries[0])


def test_no_stale_or_redelivered_upsert_brings_a_purged_caf_back(database: Database) -> None:
    store = CafStore(database)
    old = upsert(_caf("caf-1"), child_id="c-1", child_version=2)
    assert store.apply(old).outcome == "applied"
    assert store.apply(purge("c-1", version=4)).outcome == "applied"

    assert store.apply(old).outcome == "duplicate"  # the same delivery again
    copy = old.model_copy(update={"event_id": "ev-copy"})  # a copy under another id (e.g. a replayed dead letter)
    assert store.apply(copy).outcome == "stale"
    never_seen = upsert(_caf("caf-9"), child_id="c-1", child_version=3, version=1)  # written before the purge
    assert store.apply(never_seen).outcome == "stale"
    unstamped = upsert(_caf("caf-8"), child_id="c-1", child_version=None)  # order unknown: not trusted
    assert store.apply(unstamped).outcome == "stale"
    assert _rows(database, "caf_assessments") == []
    assert [row for row in _rows(database, "caf_consents") if row["record"]] == []

    # sent again after the purge (a later child version): the supplier wants it back
    again = upsert(_caf("caf-1"), child_id="c-1", child_version=6, version=2)
    assert store.apply(again).outcome == "applied"
    assert [(row["caf_id"], row["version"]) for row in _rows(database, "caf_assessments")] == [("caf-1", 1)]


def test_a_withdrawal_outlives_the_purge_when_the_caf_is_sent_again(database: Database) -> None:
    store = CafStore(database)
    store.apply(upsert(_caf("caf-1", withdrawn=True), child_id="c-1", child_version=1))
    store.apply(purge("c-1", version=3))
    store.apply(upsert(_caf("caf-1"), child_id="c-1", child_version=5, version=2))  # consent shown active again
    with database.engine.connect() as conn:
        stored = load_caf(conn, "caf-1")
    assert stored is not None
    # still withdrawn, at the time first recorded (not moved later by the copy sent again): not shared again
    assert stored.assessment.consents[0].withdrawn_at == GIVEN_AT + timedelta(days=2)


def test_a_purge_is_ordered_with_the_childs_other_events(database: Database) -> None:
    store = CafStore(database)
    newer = upsert(_caf("caf-1", version=2), child_id="c-1", child_version=7, version=2)
    older = upsert(_caf("caf-2"), child_id="c-1", child_version=1)
    assert [r.outcome for r in store.apply_batch([newer, older])] == ["applied", "applied"]
    late = purge("c-1", version=5)  # arrives after an upsert written after it
    assert store.apply(late).outcome == "applied"
    assert [(row["caf_id"], row["version"]) for row in _rows(database, "caf_assessments")] == [("caf-1", 2)]
    assert store.apply(late).outcome == "duplicate"
    assert store.apply(purge("c-1", version=4)).outcome == "stale"  # an older purge: nothing more to do
    assert store.apply(purge("c-1", version=4, la_code="999")).outcome == "applied"  # another council's


def test_upsert_and_purge_in_one_batch_decide_in_order(database: Database) -> None:
    store = CafStore(database)
    before = upsert(_caf("caf-1"), child_id="c-1", child_version=1)
    after = upsert(_caf("caf-1", version=2), child_id="c-1", child_version=4, version=2)
    stale = upsert(_caf("caf-3"), child_id="c-1", child_version=2)
    outcomes = [r.outcome for r in store.apply_batch([before, purge("c-1", version=3), stale, after])]
    assert outcomes == ["applied", "applied", "stale", "applied"]
    assert [(row["caf_id"], row["version"]) for row in _rows(database, "caf_assessments")] == [("caf-1", 2)]
    consents = _rows(database, "caf_consents")
    assert [(row["consent_id"], bool(row["record"])) for row in consents] == [("k-caf-1", True)]


def test_a_purge_payload_or_a_caf_subject_is_rejected(database: Database) -> None:
    store = CafStore(database)
    bad = purge("c-1", version=1).model_copy(update={"payload": {"x": 1}})
    assert store.apply(bad).outcome == "rejected"
    assert store.apply(purge("caf:caf-1", version=1)).outcome == "rejected"


def test_purge_on_sqlite_leaves_no_caf_bytes_behind(tmp_path: Path) -> None:
    path = tmp_path / "cafpurge.sqlite3"
    database = open_database(f"sqlite:///{path.as_posix()}")
    store = CafStore(database)
    marker = "Qwzxyvutsrq"
    store.apply(upsert(_caf("caf-1", marker=marker), child_id="c-1", child_version=1))
    checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    assert marker.encode() in path.read_bytes()
    store.apply(purge("c-1", version=2))
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    database.dispose()
    leftovers = b"".join(p.read_bytes() for p in path.parent.glob("cafpurge.sqlite3*"))
    assert marker.encode() not in leftovers
    assert b"Smith" not in leftovers  # the consent's giver went too


# --- Hypothesis: any delivery order, duplicates and batching end where serial application ends -----------


@dataclass(frozen=True)
class _Op:
    kind: str  # "upsert" | "purge"
    caf: int  # which CAF (0..2); each CAF belongs to one council
    la_code: str


_COUNCIL = {0: "201", 1: "201", 2: "999"}
_OPS = st.lists(
    st.one_of(
        st.builds(_Op, st.just("upsert"), st.integers(0, 2), st.just("")),
        st.builds(_Op, st.just("purge"), st.just(0), st.sampled_from(["201", "999"])),
    ),
    min_size=1,
    max_size=10,
)


def _events(ops: list[_Op], run: str) -> tuple[list[Event], dict[str, int | None]]:
    """The events routing would write for ``ops`` in this order, and the newest surviving CAF version of each
    CAF when they are applied in that order (the reference)."""
    child = f"c-{run}"
    child_version = 0
    caf_versions: dict[int, int] = {}
    rows: dict[tuple[int, int], tuple[str, int]] = {}  # (caf, form version) -> (council, child version)
    events: list[Event] = []
    for op in ops:
        child_version += 1  # the directory event of the same record
        if op.kind == "upsert":
            version = caf_versions[op.caf] = caf_versions.get(op.caf, 0) + 1
            caf = _caf(f"caf-{run}-{op.caf}", version=version)
            la_code = _COUNCIL[op.caf]
            events.append(upsert(caf, child_id=child, child_version=child_version, version=version, la_code=la_code))
            rows[op.caf, version] = (la_code, child_version)
        else:
            child_version += 1  # caf.child.purge follows directory.child.purge
            events.append(purge(child, version=child_version, la_code=op.la_code))
            rows = {k: v for k, v in rows.items() if not (v[0] == op.la_code and v[1] < child_version)}
    expected: dict[str, int | None] = {}
    for caf in range(3):
        versions = [version for (which, version) in rows if which == caf]
        expected[f"caf-{run}-{caf}"] = max(versions) if versions else None
    return events, expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS, data=st.data())
def test_any_interleaving_of_upserts_purges_and_redeliveries_ends_right(
    database: Database, ops: list[_Op], data: st.DataObject
) -> None:
    run = uuid.uuid4().hex[:8]
    events, expected = _events(ops, run)
    redelivered = data.draw(st.lists(st.sampled_from(events), max_size=len(events)), label="redelivered")
    delivery = data.draw(st.permutations([*events, *redelivered]), label="delivery order")
    store = CafStore(database)
    position = 0
    while position < len(delivery):
        size = data.draw(st.integers(1, 4), label="batch")
        outcomes = store.apply_batch(delivery[position : position + size])
        assert all(result.outcome != "rejected" for result in outcomes)
        position += size
    with database.engine.connect() as conn:
        for caf_id, version in expected.items():
            stored = load_caf(conn, caf_id)
            assert (stored.latest_version if stored else None) == version, caf_id
            if version is None:
                rows = conn.execute(select(caf_consents.c.record).where(caf_consents.c.caf_id == caf_id)).all()
                assert all(not record for (record,) in rows)  # no consent content left
