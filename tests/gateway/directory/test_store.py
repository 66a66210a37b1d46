"""The directory store on SQLite and PostgreSQL: events in, audited reads out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError

from gateway import Address, Carer, ContactDetail, Involvement, PersonName
from gateway.access import AccessDenied, Caller
from gateway.directory import DirectoryQuery, DirectoryStore, InvolvementStart
from gateway.events import Event
from gateway.storage import Database, open_database
from gateway.storage.tables import directory_involvements, metadata
from gateway.store_events import StoreEventTable
from tests.gateway.store_data import AT, BREAK_GLASS, PRACTITIONER, READER, child_record, purge_event, upsert_event


@pytest.fixture
def store(database: Database) -> DirectoryStore:
    return DirectoryStore(database)


def _search(store: DirectoryStore, **criteria: object) -> list[str]:
    result = store.search(DirectoryQuery.model_validate(criteria), READER, "safeguarding")
    return [hit.child_id for hit in result.results]


def test_apply_is_idempotent_and_ignores_stale_versions(store: DirectoryStore) -> None:
    first = upsert_event(child_record(), version=2)
    assert store.apply(first).outcome == "applied"
    assert store.apply(first).outcome == "duplicate"
    older = upsert_event(child_record(names=(PersonName(family="Stale"),)), version=1)
    assert store.apply(older).outcome == "stale"
    assert store.apply(older).outcome == "duplicate"  # a stale event is in the inbox too
    entry = store.entry("c-1", READER, "safeguarding")
    assert entry is not None and entry.names[0].family == "Smith"
    newer = upsert_event(child_record(names=(PersonName(family="Newer"),)), version=3)
    assert store.apply(newer).outcome == "applied"
    entry = store.entry("c-1", READER, "safeguarding")
    assert entry is not None and entry.names[0].family == "Newer"
    assert store.version("c-1") == 3


def test_a_batch_applies_in_one_transaction(store: DirectoryStore) -> None:
    events = [upsert_event(child_record(f"c-{n}"), version=1) for n in range(5)]
    results = store.apply_batch([*events, events[0]])
    assert [result.outcome for result in results] == ["applied"] * 5 + ["duplicate"]
    assert store.child_ids() == [f"c-{n}" for n in range(5)]


def test_a_failing_batch_keeps_nothing(store: DirectoryStore, database: Database) -> None:
    good = upsert_event(child_record("c-good"))
    with pytest.raises(RuntimeError), database.engine.begin() as conn:
        store.apply_batch([good], connection=conn)
        raise RuntimeError("the consumer failed before commit")
    assert store.child_ids() == []
    assert store.apply(good).outcome == "applied"  # the redelivery applies


def test_bad_events_are_rejected_with_a_reason_and_no_values(store: DirectoryStore) -> None:
    event = upsert_event(child_record())
    wrong_subject = event.model_copy(update={"subject": "c-other"})
    extra = event.model_copy(update={"payload": {**event.payload, "assessments": [{"id": "secret-9434765919"}]}})
    nul = upsert_event(child_record(names=(PersonName(family="Sm\x00ith"),)))
    wrong_kind = event.model_copy(update={"kind": "caf.assessment.upsert"})
    long_id = upsert_event(child_record(nhs_number="9" * 40))
    results = [store.apply(item) for item in (wrong_subject, extra, nul, wrong_kind, long_id)]
    assert [result.outcome for result in results] == ["rejected"] * 5
    assert not any(result.acknowledge for result in results)
    assert "secret" not in " ".join(result.reason or "" for result in results)
    assert results[1].reason == "invalid payload at * (extra_forbidden)"
    assert results[4].reason == "directory_children.nhs_number is longer than 16 characters"
    assert store.child_ids() == []
    assert store.apply(event).outcome == "applied"  # a rejection is not recorded in the inbox


def test_search_by_each_criterion(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record("c-1", nhs_number="943 476 5919", upn="A950000178301")))
    store.apply(
        upsert_event(
            child_record(
                "c-2",
                names=(PersonName(given=("Mary",), family="Smith-Jones"), PersonName(use="former", family="Brown")),
                birth_date=date(2016, 7, 9),
                addresses=(Address(postcode="SW1A 1AA"),),
            )
        )
    )
    store.apply(upsert_event(child_record("c-3", names=(PersonName(given=("Wilma",), family="Smythe"),))))
    assert _search(store, nhs_number="9434765919") == ["c-1"]
    assert _search(store, upn="a950000178301") == ["c-1"]
    assert _search(store, la_code="201", la_child_id="Lc2") == ["c-2"]
    assert _search(store, postcode="sw1a1aa", birth_date="2016-07-09") == ["c-2"]
    assert _search(store, birth_date="2016-07-09", family_name="Smith") == ["c-2"]
    assert _search(store, family_name="Jones", given_name="Mary") == ["c-2"]  # a part of a double-barrelled name
    assert _search(store, family_name="Browne", given_name="Mary") == ["c-2"]  # a former name, misspelt
    assert _search(store, family_name="Smyth", given_name="Bill") == ["c-1"]  # nickname, spelling
    assert _search(store, family_name="Smith", birth_date="2015-03-01") == ["c-1", "c-3"]
    assert _search(store, family_name="Simth", birth_date="2015-03-01") == ["c-1", "c-3"]  # a typo
    assert _search(store, family_name="Zebedee", given_name="William") == []
    # Wilma Smythe is a plausible (phonetic) match for William Smith, ranked below the exact one.
    assert _search(store, family_name="Smith", postcode="NW1 1AA", given_name="William") == ["c-1", "c-3"]
    assert _search(store, family_name="Smith", postcode="NW1 1AA", given_name="Mary") == []


@pytest.mark.parametrize(
    "criteria",
    [{"family_name": "Smith"}, {"birth_date": "2015-03-01"}, {"postcode": "NW1 1AA"}, {"given_name": "Will"}, {}],
)
def test_a_search_needs_an_identifier_or_two_criteria(criteria: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"two of|only together"):
        DirectoryQuery.model_validate(criteria)


def test_search_results_are_ranked_and_limited(store: DirectoryStore) -> None:
    for n, family in enumerate(["Smith", "Smyth", "Smithe", "Smit"]):
        store.apply(upsert_event(child_record(f"c-{n}", names=(PersonName(given=("William",), family=family),))))
    result = store.search(DirectoryQuery(family_name="Smith", given_name="William", limit=2), READER, "safeguarding")
    assert result.results[0].child_id == "c-0"
    assert len(result.results) == 2 and result.more
    scores = [hit.score or 0 for hit in result.results]
    assert scores == sorted(scores, reverse=True)


def test_searches_and_views_are_audited_with_ids_not_content(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record()))
    _search(store, family_name="Smith", given_name="William")
    store.entry("c-1", READER, "service-provision")
    store.entry("c-missing", READER, "service-provision")
    entries = store.audit.entries(store.database.engine)
    search, view, miss = entries[-3:]
    assert (search.entry.action, search.entry.reason, search.entry.outcome) == (
        "directory.search",
        "safeguarding",
        "found",
    )
    assert search.entry.query == {"family_name": "Smith", "given_name": "William", "limit": 20}
    assert list(search.entry.result_ids) == ["c-1"]
    assert (search.entry.actor_user, search.entry.actor_org) == ("u-reader", "ORG-R")
    assert (view.entry.action, view.entry.subject, list(view.entry.result_ids)) == ("directory.view", "c-1", ["c-1"])
    assert (miss.entry.outcome, list(miss.entry.result_ids)) == ("not-found", [])
    assert "NW1" not in str([entry.entry for entry in entries])  # content is never audited
    assert store.audit.verify(store.database.engine).ok


def test_reads_need_the_directory_role_and_refusals_are_audited(store: DirectoryStore) -> None:
    nobody = Caller(user_id="u-x", organisation_code="ORG-X")
    with pytest.raises(AccessDenied):
        store.search(DirectoryQuery(family_name="Smith", given_name="William"), nobody, "safeguarding")
    with pytest.raises(AccessDenied):
        store.entry("c-1", nobody, "safeguarding")
    outcomes = [(e.entry.action, e.entry.outcome) for e in store.audit.entries(store.database.engine)]
    assert outcomes == [("directory.search", "denied"), ("directory.view", "denied")]


def test_shielded_fields_are_not_searchable_and_a_hit_shows_no_address(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record("c-s", shielded=True, addresses=(Address(postcode="E1 6AN"),))))
    hidden = store.search(DirectoryQuery(postcode="E1 6AN", birth_date=date(2015, 3, 1)), READER, "safeguarding")
    miss = store.search(DirectoryQuery(postcode="ZZ9 9ZZ", birth_date=date(2015, 3, 1)), READER, "safeguarding")
    assert hidden == miss
    assert hidden.model_dump() == {"results": (), "more": False}
    (hit,) = store.search(DirectoryQuery(family_name="Smith", given_name="William"), READER, "safeguarding").results
    assert hit.shielded and hit.postcode is None
    entry = store.entry("c-s", READER, "safeguarding")
    assert entry is not None and entry.address is None and entry.carers[0].contacts == ()


def test_break_glass_needs_a_role_and_reason_is_audited_and_alerts(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record("c-s", shielded=True, addresses=(Address(postcode="E1 6AN"),))))
    with pytest.raises(AccessDenied):
        store.break_glass("c-s", READER, "child missing, police request")
    with pytest.raises(ValueError, match="reason"):
        store.break_glass("c-s", BREAK_GLASS, "   because ")
    found = store.break_glass("c-s", BREAK_GLASS, "child missing, police request ref 123")
    assert found is not None
    assert found.entry.address is not None and found.entry.address.postcode == "E1 6AN"
    assert found.entry.carers[0].contacts[0].value == "020 7946 0000"
    last = store.audit.entries(store.database.engine)[-1]
    assert last.seq == found.audit_seq
    assert (last.entry.action, last.entry.reason) == ("directory.break-glass", "child missing, police request ref 123")
    (alert,) = StoreEventTable().pending(store.database.engine)
    assert alert.kind == "directory.shield.lifted"
    assert alert.payload == {
        "child_id": "c-s",
        "user_id": "u-lead",
        "organisation_code": "ORG-L",
        "audit_seq": last.seq,
    }
    assert "E1 6AN" not in alert.model_dump_json()
    assert StoreEventTable().mark_sent(store.database.engine, [alert.event_id]) == 1
    assert StoreEventTable().pending(store.database.engine) == []
    assert store.break_glass("c-none", BREAK_GLASS, "child missing, police request") is None


def test_who_is_working_with_the_child_and_practitioners_recording_involvement(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record(), version=1))
    start = InvolvementStart(service_type="youth-offending", role="case worker", start=date(2025, 5, 1))
    recorded = store.record_involvement("c-1", PRACTITIONER, start)
    assert recorded is not None and recorded.recorded_by == "practitioner"
    involvements = store.involvements("c-1", READER, "contact-practitioner")
    assert involvements is not None
    assert [(item.service_type, item.recorded_by) for item in involvements] == [
        ("school-nursing", "supplier"),
        ("youth-offending", "practitioner"),
    ]
    # A supplier update replaces what the supplier sent; the practitioner's record stays.
    store.apply(upsert_event(child_record(involvements=()), version=2))
    involvements = store.involvements("c-1", READER, "contact-practitioner")
    assert involvements is not None and [item.involvement_id for item in involvements] == [recorded.involvement_id]
    ended = store.end_involvement("c-1", recorded.involvement_id, PRACTITIONER, date(2025, 6, 1))
    assert ended is not None and ended.end == date(2025, 6, 1) and not ended.is_current(date(2025, 6, 2))
    with pytest.raises(ValueError, match="before"):
        store.end_involvement("c-1", recorded.involvement_id, PRACTITIONER, date(2020, 1, 1))
    other_org = PRACTITIONER.model_copy(update={"organisation_code": "ORG-OTHER"})
    with pytest.raises(AccessDenied):
        store.end_involvement("c-1", recorded.involvement_id, other_org, date(2025, 6, 1))
    assert store.end_involvement("c-1", "no-such", PRACTITIONER, date(2025, 6, 1)) is None
    assert store.record_involvement("c-none", PRACTITIONER, start) is None
    with pytest.raises(ValueError, match="consent or a safeguarding"):
        InvolvementStart(service_type="clinic", start=date(2025, 1, 1), sensitive_category="sexual_health")


def test_sensitive_involvements_cannot_be_stored_without_a_basis(store: DirectoryStore, database: Database) -> None:
    store.apply(upsert_event(child_record()))
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(
            directory_involvements.insert().values(
                child_id="c-1",
                involvement_id="x",
                recorded_by="supplier",
                service_type="clinic",
                lead_professional=False,
                sensitive_category="mental_health",
                shared_on=None,
            )
        )


def test_archive_at_the_retention_date_and_delete_later(store: DirectoryStore) -> None:
    birthday = date.today() + timedelta(days=1)
    if (birthday.month, birthday.day) == (2, 29):
        birthday += timedelta(days=1)
    store.apply(upsert_event(child_record("c-young", birth_date=date(2015, 1, 1))))
    store.apply(upsert_event(child_record("c-adult", birth_date=birthday.replace(year=birthday.year - 18))))
    assert store.archive_due(birthday - timedelta(days=1)) == []
    assert store.archive_due(birthday) == ["c-adult"]
    assert store.child_ids(archived=True) == ["c-adult"]
    assert store.entry("c-adult", READER, "safeguarding") is None
    assert _search(store, family_name="Smith", given_name="William") == ["c-young"]
    assert store.delete_archived(datetime.now(AT.tzinfo) - timedelta(days=1)) == []
    assert store.delete_archived(datetime.now(AT.tzinfo) + timedelta(seconds=1)) == ["c-adult"]
    assert store.child_ids() == ["c-young"]
    actions = [entry.entry.action for entry in store.audit.entries(store.database.engine)]
    assert actions.count("directory.archive") == 1 and actions.count("directory.delete-archived") == 1


def test_an_adult_arriving_is_archived_at_once(store: DirectoryStore) -> None:
    store.apply(upsert_event(child_record("c-adult", birth_date=date(2000, 1, 1))))
    assert store.child_ids(archived=True) == ["c-adult"]


def test_purge_deletes_every_row_and_a_stale_upsert_cannot_resurrect(store: DirectoryStore, database: Database) -> None:
    store.apply(upsert_event(child_record("c-p", shielded=True), version=1))
    store.record_involvement("c-p", PRACTITIONER, InvolvementStart(service_type="youth", start=date(2025, 1, 1)))
    assert store.apply(purge_event("c-p", version=2)).outcome == "applied"
    with database.engine.connect() as conn:
        for table in database_tables(database):
            if "child_id" in table.c:
                assert conn.execute(select(func.count()).where(table.c.child_id == "c-p")).scalar_one() == 0
    assert store.apply(upsert_event(child_record("c-p"), version=1)).outcome == "stale"
    assert store.child_ids() == []
    purge = store.audit.entries(database.engine)[-1].entry
    assert (purge.action, purge.subject, purge.outcome) == ("directory.purge", "c-p", "purged")
    assert store.apply(upsert_event(child_record("c-p"), version=3)).outcome == "applied"  # a new referral


def database_tables(database: Database) -> list[Table]:
    return [table for table in metadata.sorted_tables if table.name.startswith("directory_")]


def test_purge_on_sqlite_leaves_no_bytes_behind(tmp_path: Path) -> None:
    path = tmp_path / "purge.sqlite3"
    database = open_database(f"sqlite:///{path.as_posix()}")
    store = DirectoryStore(database)
    marker = "Zyxwvutsrq"
    record = child_record(
        "c-p",
        names=(PersonName(given=("Qqqq",), family=marker),),
        carers=(Carer(contacts=(ContactDetail(system="email", value=f"{marker}@example.org"),)),),
        involvements=(Involvement(service_type=marker),),
    )
    store.apply(upsert_event(record))
    checkpoint = "PRAGMA wal_checkpoint(TRUNCATE)"
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    assert marker.encode() in path.read_bytes()
    store.apply(purge_event("c-p", version=2))
    with database.engine.connect() as conn:
        conn.exec_driver_sql(checkpoint)
    database.dispose()
    leftovers = b"".join(p.read_bytes() for p in path.parent.glob("purge.sqlite3*"))
    assert marker.encode() not in leftovers


def test_event_model_routing_key() -> None:
    event = upsert_event(child_record())
    assert isinstance(event, Event) and event.routing_key == "directory.child.upsert.201"
