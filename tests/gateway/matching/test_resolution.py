"""Identity resolution in the pipeline: link, create, hold for review, release on a person's decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from adapters.canonical.jsonl import CanonicalJsonlReader, CanonicalJsonlWriter
from gateway.access import Caller
from gateway.events import Event
from gateway.intake import Intake
from gateway.matching import ReviewQueue, ReviewStateError
from gateway.matching.resolution import HELD_FOR_REVIEW, IdentityResolver, record_id_for
from gateway.model import (
    Address,
    CafAssessment,
    CanonicalMessage,
    Carer,
    Child,
    ChildRecord,
    Consent,
    Envelope,
    LocalId,
    PersonName,
)
from gateway.pipeline import Check, ProcessResult
from gateway.plugins import Plugin, load_registry
from gateway.routing.outbox import Outbox
from gateway.routing.release import HeldRecordRelease
from gateway.routing.router import Router
from gateway.routing.topology import Names
from gateway.storage import Database, MessageStore
from gateway.storage.tables import match_identities, match_reviews

ALICE = Caller(user_id="alice", organisation_code="LA201")
NHS = "9434765919"
ENVELOPE = Envelope(
    message_id="m-0", supplier_id="council", la_code="201", format_id="canonical-jsonl",
    received_at=datetime(2025, 1, 1, tzinfo=UTC), payload_sha256="0" * 64,
)  # fmt: skip


def record(
    local: str | None = "C1",
    *,
    given: str = "Oliver",
    family: str = "Smith",
    nhs: str | None = NHS,
    upn: str | None = None,
    child_id: str | None = None,
    purge: bool = False,
    caf: bool = False,
    born: date = date(2015, 3, 14),
    postcode: str = "LS6 1AT",
) -> ChildRecord:
    """An invented child; by default the same child every time (same NHS number, names, birth date)."""
    consents = (
        Consent(consent_id="K1", given_by_role="parent", scope=("ORG1",), given_at=datetime(2025, 1, 1, tzinfo=UTC)),
    )
    return ChildRecord(
        child=Child(
            child_id=child_id,
            local_ids=(LocalId(la_code="201", la_child_id=local),) if local else (),
            nhs_number=nhs,
            upn=upn,
            names=(PersonName(given=(given,), family=family),),
            birth_date=born,
            sex="M",
            addresses=(Address(lines=("12 Church Road",), postcode=postcode),),
        ),
        carers=(Carer(names=(PersonName(given=("Grace",), family=family),), relationship="mother"),),
        caf_assessments=(CafAssessment(caf_id="CAF1", consents=consents),) if caf else (),
        purge=purge,
    )


@dataclass
class Pipeline:
    intake: Intake
    outbox: Outbox
    queue: ReviewQueue
    database: Database

    def send(
        self, records: Sequence[ChildRecord], supplier: str = "council", message_id: str | None = None
    ) -> ProcessResult:
        body = CanonicalJsonlWriter().write(records)
        return self.intake.submit([("m.jsonl", body)], supplier_id=supplier, la_code="201", message_id=message_id)

    def events(self) -> list[Event]:
        """Every event written to the outbox so far (claimed, so each is returned once)."""
        rows = self.outbox.claim(1000, lease=600)
        return [Event.model_validate_json(row.body) for row in rows if row.kind != "supplier.delivery"]

    def count(self, table: object) -> int:
        with self.database.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def pipeline(database: Database, checks: Sequence[Check] = (), review_rule: str | None = None) -> Pipeline:
    registry = load_registry(
        entry_points_=[],
        extra=[Plugin(name="canonical", readers=(CanonicalJsonlReader(),), writers=(CanonicalJsonlWriter(),))],
    )
    store = MessageStore(database)
    outbox = Outbox(database, Names("ecm"))
    queue = ReviewQueue(database, release=HeldRecordRelease(store, outbox))
    intake = Intake(
        registry=registry,
        store=store,
        checks=checks,
        router=Router(),
        outbox=outbox,
        resolver=IdentityResolver(queue, review_rule=review_rule),
    )
    return Pipeline(intake, outbox, queue, database)


def _directory(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.kind, e.subject) for e in events if e.kind.startswith("directory.")]


def test_new_child_then_the_same_child_from_another_supplier_with_a_typo_is_linked(database: Database) -> None:
    p = pipeline(database)
    first = p.send([record("C1")], supplier="council")
    (child_id,) = [r.child.child_id for r in first.message.records]
    assert child_id and child_id.startswith("child-")
    assert _directory(p.events()) == [("directory.child.upsert", child_id)]
    typo = p.send([record("H77", family="Smiht")], supplier="health")
    assert typo.outcome == "accepted" and typo.held == ()
    assert typo.message.records[0].child.child_id == child_id
    assert _directory(p.events()) == [("directory.child.upsert", child_id)]
    assert p.queue.reviews() == []


def test_a_resend_keeps_its_child_id_and_a_supplier_sent_child_id_is_not_trusted(database: Database) -> None:
    p = pipeline(database)
    first = p.send([record("C1", child_id="child-chosen-by-the-supplier")])
    child_id = first.message.records[0].child.child_id
    assert child_id != "child-chosen-by-the-supplier"
    again = p.send([record("C1", given="Olly", nhs=None)])  # an update: the council's id is the same record
    assert again.message.records[0].child.child_id == child_id and again.held == ()
    assert p.count(match_identities) == 1


def test_a_record_without_any_identifier_sent_again_is_not_queued_against_itself(database: Database) -> None:
    p = pipeline(database)
    first = p.send([record(None, nhs=None)], supplier="health", message_id="m-1")
    again = p.send([record(None, nhs=None)], supplier="health", message_id="m-2")
    assert again.held == () and again.message.records[0].child.child_id == first.message.records[0].child.child_id
    assert p.queue.reviews() == [] and p.count(match_identities) == 1


def test_a_probable_duplicate_is_held_and_sends_nothing_until_a_person_decides(database: Database) -> None:
    p = pipeline(database)
    first = p.send([record("C1", caf=True)], supplier="council")
    existing = first.message.records[0].child.child_id
    p.events()
    held = p.send(
        [record("S9", given="Olly", nhs=None, upn="A950000178301", caf=True)], supplier="school", message_id="m-held"
    )
    assert held.outcome == "accepted" and held.held == (0,)
    assert held.message.records[0].child.child_id is None
    info = [i for i in held.message.issues if i.rule == HELD_FOR_REVIEW]
    assert [(i.severity, i.canonical_path, i.child) for i in info] == [("information", "/records/0/child", "S9")]
    assert "Olly" not in info[0].message
    assert p.events() == []  # no directory record, no CAF for the held record
    (review,) = p.queue.reviews()
    assert review.grade == "probable"
    assert "given names are forms of the same name" in review.explanation_text()

    p.queue.decide(review.review_id, same=True, by=ALICE, reason="same school and GP confirmed")
    released = p.events()
    assert {(e.kind, e.subject, e.message_id) for e in released} == {
        ("directory.child.upsert", existing, "m-held"),
        ("caf.assessment.upsert", "caf:CAF1", "m-held"),
    }
    caf = next(e for e in released if e.kind == "caf.assessment.upsert")
    assert caf.payload["child_id"] == existing


def test_not_the_same_child_releases_the_held_record_as_a_new_child(database: Database) -> None:
    p = pipeline(database)
    existing = p.send([record("C1")], supplier="council").message.records[0].child.child_id
    p.send([record("S9", given="Olly", nhs=None)], supplier="school")
    p.events()
    (review,) = p.queue.reviews()
    p.queue.decide(review.review_id, same=False, by=ALICE, reason="different mother on the school's records")
    ((kind, subject),) = _directory(p.events())
    assert kind == "directory.child.upsert" and subject.startswith("child-") and subject != existing
    # the school sends the record again: it is the decided child now, routed at once, never asked again
    again = p.send([record("S9", given="Olly", nhs=None)], supplier="school")
    assert again.held == () and again.message.records[0].child.child_id == subject
    assert _directory(p.events()) == [("directory.child.upsert", subject)]
    assert p.queue.reviews() == []
    # a decision is released once: deciding again is refused and sends nothing
    with pytest.raises(ReviewStateError, match="already been decided"):
        p.queue.decide(review.review_id, same=True, by=ALICE, reason="again")
    assert p.events() == []


def test_a_held_record_sent_again_stays_held_and_is_released_from_the_newest_message(database: Database) -> None:
    p = pipeline(database)
    p.send([record("C1")], supplier="council")
    p.send([record("S9", given="Olly", nhs=None)], supplier="school", message_id="m-1")
    again = p.send([record("S9", given="Olly", nhs=None)], supplier="school", message_id="m-2")
    assert again.held == (0,)
    assert len(p.queue.reviews()) == 1  # not queued twice
    p.events()
    p.queue.decide(p.queue.reviews()[0].review_id, same=False, by=ALICE, reason="not the same child")
    assert [(e.kind, e.message_id) for e in p.events()] == [("directory.child.upsert", "m-2")]


def test_an_update_of_the_other_record_does_not_queue_the_same_pair_again(database: Database) -> None:
    p = pipeline(database)
    existing = p.send([record("C1")], supplier="council").message.records[0].child.child_id
    p.send([record("S9", given="Olly", nhs=None)], supplier="school")
    moved = p.send([record("C1", postcode="LS6 2QB")], supplier="council")  # changed: matched again
    assert moved.held == () and moved.message.records[0].child.child_id == existing
    assert len(p.queue.reviews()) == 1


def test_only_the_held_record_of_a_message_waits(database: Database) -> None:
    p = pipeline(database)
    p.send([record("C1")], supplier="council")
    p.events()
    other = record("S2", given="Ruby", family="Jones", nhs=None, born=date(2011, 6, 1), postcode="M14 5QT")
    result = p.send([record("S9", given="Olly", nhs=None), other], supplier="school")
    assert result.held == (0,)
    assert _directory(p.events()) == [("directory.child.upsert", result.message.records[1].child.child_id)]


def test_purge_of_a_known_child_purges_its_directory_record_and_creates_nothing(database: Database) -> None:
    p = pipeline(database)
    child_id = p.send([record("C1")]).message.records[0].child.child_id
    p.events()
    purged = p.send([record("C1", purge=True)])
    assert purged.message.records[0].child.child_id == child_id
    assert _directory(p.events()) == [("directory.child.purge", child_id)]
    stranger = p.send(
        [record("Z1", given="Ruby", family="Jones", nhs=None, purge=True, born=date(2011, 6, 1), postcode="M14 5QT")]
    )
    assert stranger.held == () and stranger.message.records[0].child.child_id is None
    assert p.count(match_identities) == 0  # the purged child is forgotten by the match index too


def test_a_message_rejected_for_its_data_leaves_nothing_in_the_index(database: Database) -> None:
    def reject(_message: object) -> list[object]:
        from gateway.model import Issue  # noqa: PLC0415

        return [Issue(rule="ics-1b/nhs-number-valid", severity="error", message="invalid")]

    p = pipeline(database, checks=[reject], review_rule="ics-1b/possible-duplicate")  # type: ignore[list-item]
    assert p.send([record("C1")]).outcome == "rejected"
    assert p.count(match_identities) == 0


def test_a_dry_run_replay_writes_nothing_to_the_index_and_a_replay_does(database: Database) -> None:
    p = pipeline(database)
    p.send([record("C1")], supplier="council")
    unresolved = Intake(registry=p.intake.registry, store=p.intake.store)  # stored before matching existed
    body = CanonicalJsonlWriter().write(
        [
            record("S9", given="Olly", nhs=None),
            record("N1", given="Ruby", nhs=None, born=date(2011, 6, 1), postcode="M14 5QT"),
        ]
    )
    unresolved.submit([("m.jsonl", body)], supplier_id="school", la_code="201", message_id="m-old")
    preview = p.intake.reprocess("m-old", record=False)
    assert preview.held == (0,) and preview.message.records[1].child.child_id is None  # would be new
    assert (p.count(match_identities), p.count(match_reviews)) == (1, 0)
    replayed = p.intake.reprocess("m-old")
    assert replayed.held == (0,) and replayed.message.records[1].child.child_id is not None
    assert (p.count(match_identities), p.count(match_reviews)) == (3, 1)


def test_record_ids_are_per_supplier_and_hide_the_council_id() -> None:
    def envelope(supplier: str, message_id: str) -> Envelope:
        return Envelope(
            message_id=message_id, supplier_id=supplier, la_code="201", format_id="f",
            received_at=datetime(2025, 1, 1, tzinfo=UTC), payload_sha256="0" * 64,
        )  # fmt: skip

    council, health = envelope("council", "m1"), envelope("health", "m1")
    assert record_id_for(council, record("C1")) == record_id_for(envelope("council", "m2"), record(" c1 "))
    assert record_id_for(council, record("C1")) != record_id_for(health, record("C1"))
    assert "C1" not in record_id_for(council, record("C1"))
    # without an LA child id: the same record again is the same record; a changed one is another
    assert record_id_for(council, record(None)) == record_id_for(envelope("council", "m2"), record(None))
    assert record_id_for(council, record(None)) != record_id_for(council, record(None, given="Olly"))
    assert NHS not in record_id_for(council, record(None))


def test_records_of_one_message_meet_each_other_and_the_rule_sees_it(database: Database) -> None:
    p = pipeline(database)
    twice = [record("C1"), record("C2", family="Smiht"), record("C3", given="Olly", nhs=None)]
    message = CanonicalMessage(envelope=ENVELOPE, records=tuple(twice))
    resolver = p.intake.resolver
    assert isinstance(resolver, IdentityResolver)
    lookup = resolver.lookup(message)
    decisions = [[d.decision for d in lookup.possible_duplicates(r)] for r in message.records]
    assert decisions == [[], ["link"], ["review"]]  # answered from one preview of the whole message
    result = p.send(twice)
    first, second, third = (r.child.child_id for r in result.message.records)
    assert first is not None and second == first and third is None and result.held == (2,)
    assert p.count(match_identities) == 3
    assert len(p.queue.reviews()) == 2  # one per candidate record (of the same child)


@pytest.mark.parametrize("budget", [1, 2])
def test_a_message_split_over_several_transactions_resolves_as_one(
    database: Database, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    from gateway.matching import review as review_module  # noqa: PLC0415

    monkeypatch.setattr(review_module, "MAX_RECORDS", budget)
    monkeypatch.setattr(review_module, "MAX_LOCKS", 1)  # PostgreSQL: one record per transaction
    p = pipeline(database)
    result = p.send([record("C1"), record("C2", family="Smiht"), record("C3", given="Olly", nhs=None)])
    first, second, third = (r.child.child_id for r in result.message.records)
    assert first is not None and second == first and third is None and result.held == (2,)


def test_the_hold_columns_migration_goes_down_and_up_with_data_in_place(database: Database) -> None:
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415
    from sqlalchemy import inspect  # noqa: PLC0415

    from gateway.storage.database import _MIGRATIONS  # noqa: PLC0415

    p = pipeline(database)
    p.send([record("C1")], supplier="council")
    p.send([record("S9", given="Olly", nhs=None)], supplier="school")
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = database.engine
    command.downgrade(config, "0401")
    assert "held_message_id" not in {c["name"] for c in inspect(database.engine).get_columns("match_identities")}
    command.upgrade(config, "head")
    assert (p.count(match_identities), p.count(match_reviews)) == (2, 1)
