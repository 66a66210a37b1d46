"""End to end through the intake: two suppliers' records of one child make one directory entry; an unmerge
takes the wrongly merged record out of it again; a purge takes the child out of the match index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from gateway.directory.store import DirectoryStore
from gateway.matching import ReviewQueue
from gateway.matching.resolution import IdentityResolver, record_id_for
from gateway.model import ChildRecord, Involvement, Organisation
from gateway.routing.release import HeldRecordRelease, MovedRecordRecall
from gateway.storage import Database, MessageStore
from gateway.storage.tables import match_blocking_keys, match_identities
from tests.gateway.matching.test_resolution import ALICE, ENVELOPE, Pipeline, pipeline, record

SCHOOL = ENVELOPE.model_copy(update={"supplier_id": "school"})


def with_involvement(base: ChildRecord, service: str) -> ChildRecord:
    involvement = Involvement(
        involvement_id="i0", service_type=service, organisation=Organisation(code="ORG1"), start=date(2024, 9, 1)
    )
    return base.model_copy(update={"involvements": (involvement,)})


def recalling_pipeline(database: Database) -> tuple[Pipeline, DirectoryStore]:
    p = pipeline(database)
    queue = ReviewQueue(
        database, release=HeldRecordRelease(MessageStore(database), p.outbox), moved=MovedRecordRecall(p.outbox)
    )
    p.intake.resolver = IdentityResolver(queue)
    p.queue = queue
    return p, DirectoryStore(database)


def deliver(p: Pipeline, store: DirectoryStore) -> list[str]:
    events = p.events()
    results = store.apply_batch([e for e in events if e.kind.startswith("directory.")])
    assert all(r.outcome == "applied" for r in results), results
    return [e.kind for e in events]


def services(store: DirectoryStore, child_id: str | None) -> set[str]:
    assert child_id is not None
    return {i.service_type for i in store.all_involvements(child_id)}


def send(p: Pipeline, records: Sequence[ChildRecord], supplier: str) -> str | None:
    result = p.send(records, supplier=supplier)
    assert result.outcome == "accepted" and result.held == ()
    return result.message.records[0].child.child_id


def test_two_suppliers_make_one_entry_and_an_unmerge_separates_them_again(database: Database) -> None:
    p, store = recalling_pipeline(database)
    child = send(p, [with_involvement(record("C1"), "social-work")], "council")
    school_record = with_involvement(record("S9"), "school-nursing")
    assert send(p, [school_record], "school") == child  # certain: the same NHS number and details
    deliver(p, store)
    assert services(store, child) == {"social-work", "school-nursing"}  # who is working with the child: both

    school_id = record_id_for(SCHOOL, school_record)
    decision = p.queue.unmerge(school_id, by=ALICE, reason="different child: birth certificate seen")
    assert deliver(p, store) == ["directory.child.move"]
    moved_to = decision.child_id_after
    assert services(store, child) == {"social-work"}  # no longer shown together
    assert services(store, moved_to) == {"school-nursing"}

    # the school's next update goes to the new child; the council's stays where it is
    assert send(p, [with_involvement(record("S9"), "early-help")], "school") == moved_to
    deliver(p, store)
    assert services(store, moved_to) == {"early-help"} and services(store, child) == {"social-work"}

    # reversing the unmerge links the school's record back: shown together again
    p.queue.reverse(decision.decision_id, by=ALICE, reason="the unmerge was a mistake after all")
    deliver(p, store)
    assert services(store, child) == {"social-work", "early-help"}
    assert store.all_involvements(moved_to or "") == () and moved_to not in store.child_ids()


def test_a_purge_takes_the_child_out_of_the_match_index(database: Database) -> None:
    p, store = recalling_pipeline(database)
    child = send(p, [record("C1")], "council")
    assert send(p, [record("S9")], "school") == child
    assert p.count(match_identities) == 2
    deliver(p, store)
    purged = p.send([record("C1", purge=True)], supplier="council")
    assert purged.outcome == "accepted"
    assert "directory.child.purge" in deliver(p, store) and child not in store.child_ids()
    assert p.count(match_identities) == 0 and p.count(match_blocking_keys) == 0
    assert p.queue.records_of(child or "") == []
    # never matched again: the same child sent afresh is a new child, not linked to the purged one
    again = send(p, [record("C1")], "council")
    assert again is not None and again != child
    with database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(match_identities)).scalar_one() == 1


def test_a_record_held_only_against_a_purged_child_is_released_as_a_new_child(database: Database) -> None:
    p, store = recalling_pipeline(database)
    child = send(p, [record("C1")], "council")
    held = p.send([record("S9", given="Olly", nhs=None)], supplier="school", message_id="m-held")
    assert held.held == (0,) and len(p.queue.reviews()) == 1
    deliver(p, store)
    p.send([record("C1", purge=True)], supplier="council")
    # the only possible duplicate is gone: nobody is left to decide, so the record is a child of its own
    assert p.queue.reviews() == []
    school_id = record_id_for(SCHOOL, record("S9", given="Olly", nhs=None))
    released = p.queue.child_of(school_id)
    assert released is not None and released != child
    events = p.events()
    assert {(e.kind, e.subject, e.message_id) for e in events if e.kind == "directory.child.upsert"} == {
        ("directory.child.upsert", released, "m-held")
    }
