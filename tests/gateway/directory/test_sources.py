"""One directory entry per child from several suppliers' views: union of who is working with the child,
clear rules for names and address, versions per source, purges as floors, moves after an unmerge."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gateway.directory.sources import View, merge_views
from gateway.directory.store import DirectoryStore
from gateway.events import Event
from gateway.model import Address, Involvement, Organisation, PersonName
from gateway.storage import Database
from gateway.storage.tables import directory_views
from gateway.views import DirectoryMove, DirectoryUpdate, directory_update
from tests.gateway.store_data import AT, READER, child_record, purge_event

COUNCIL, SCHOOL = "src-council", "src-school"


def involvement(name: str, start: date = date(2024, 9, 1), end: date | None = None) -> Involvement:
    return Involvement(
        involvement_id=name,
        service_type=name,
        organisation=Organisation(code=name.upper()[:8], name=f"Service {name}"),
        start=start,
        end=end,
    )


def view_event(source: str | None, version: int, *, child_id: str = "c-1", **child: Any) -> Event:
    """An upsert of ``source``'s view of the child (as routing sends it)."""
    record = child_record(child_id, **child)
    update = directory_update(record, at=AT, source=source)
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}", kind="directory.child.upsert", subject=child_id, version=version,
        la_code="201", message_id="m", occurred_at=AT, payload=update.model_dump(mode="json", exclude_none=True),
    )  # fmt: skip


def move_event(source: str, version: int, *, child_id: str, to: str | None) -> Event:
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}", kind="directory.child.move", subject=child_id, version=version,
        la_code="201", message_id="match-decision:1", occurred_at=AT,
        payload=DirectoryMove(source=source, to=to).model_dump(mode="json", exclude_none=True),
    )  # fmt: skip


@pytest.fixture
def store(database: Database) -> DirectoryStore:
    return DirectoryStore(database)


def _ids(store: DirectoryStore, child_id: str = "c-1") -> set[str]:
    return {i.service_type for i in store.all_involvements(child_id)}


def _entry(store: DirectoryStore, child_id: str = "c-1") -> Any:
    return store.entry(child_id, READER, "test")


def test_a_second_supplier_adds_its_involvements_instead_of_replacing_the_first(store: DirectoryStore) -> None:
    store.apply(view_event(COUNCIL, 1, involvements=(involvement("social-work"),)))
    store.apply(view_event(SCHOOL, 2, involvements=(involvement("school-nursing"),)))
    assert _ids(store) == {"social-work", "school-nursing"}
    # each supplier's update replaces only its own view
    store.apply(view_event(COUNCIL, 3, involvements=(involvement("early-help"),)))
    assert _ids(store) == {"early-help", "school-nursing"}


def test_versions_are_per_source_a_late_first_delivery_applies_a_stale_redelivery_does_not(
    store: DirectoryStore,
) -> None:
    council_v1 = view_event(COUNCIL, 1, involvements=(involvement("social-work"),))
    store.apply(view_event(SCHOOL, 2, involvements=(involvement("school-nursing"),)))
    assert store.apply(council_v1).outcome == "applied"  # older than the school's, but the council's newest
    assert _ids(store) == {"social-work", "school-nursing"}
    store.apply(view_event(COUNCIL, 4, involvements=(involvement("early-help"),)))
    stale = view_event(COUNCIL, 3, involvements=(involvement("youth-offending"),))
    assert store.apply(stale).outcome == "stale"
    assert _ids(store) == {"early-help", "school-nursing"}
    assert store.version("c-1") == 4


def test_names_and_address_follow_the_newest_view_and_other_names_are_kept(store: DirectoryStore) -> None:
    store.apply(view_event(COUNCIL, 1, names=(PersonName(given=("Billy",), family="Smith"),)))
    store.apply(
        view_event(
            SCHOOL, 2,
            names=(PersonName(given=("William",), family="Jones"),),
            addresses=(Address(lines=("9 New Road",), postcode="NW1 9ZZ"),),
        )
    )  # fmt: skip
    entry = _entry(store)
    assert [(n.use, n.given, n.family) for n in entry.names] == [
        ("usual", ("William",), "Jones"),
        ("alias", ("Billy",), "Smith"),
    ]
    assert entry.address is not None and entry.address.postcode == "NW1 9ZZ"


def test_one_shielded_view_shields_the_merged_entry(store: DirectoryStore) -> None:
    store.apply(view_event(COUNCIL, 1))
    store.apply(view_event(SCHOOL, 2, shielded=True))
    entry = _entry(store)
    assert entry.shielded and entry.address is None and entry.address_status == "withheld"
    assert all(not carer.contacts and carer.address is None for carer in entry.carers)


def test_purge_is_a_floor_for_every_source(store: DirectoryStore, database: Database) -> None:
    store.apply(view_event(COUNCIL, 1))
    late_school = view_event(SCHOOL, 2, involvements=(involvement("school-nursing"),))
    store.apply(purge_event("c-1", version=3))
    assert store.apply(late_school).outcome == "stale"  # sent before the purge: may not bring the child back
    assert _entry(store) is None
    with database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(directory_views)).scalar_one() == 0
    store.apply(view_event(SCHOOL, 4, involvements=(involvement("school-nursing"),)))
    assert _ids(store) == {"school-nursing"}


def test_a_move_takes_a_record_out_of_a_child(store: DirectoryStore) -> None:
    store.apply(view_event(COUNCIL, 1, involvements=(involvement("social-work"),)))
    store.apply(view_event(SCHOOL, 2, involvements=(involvement("school-nursing"),)))
    assert store.apply(move_event(SCHOOL, 3, child_id="c-1", to="c-2")).outcome == "applied"
    assert _ids(store, "c-1") == {"social-work"}
    assert _ids(store, "c-2") == {"school-nursing"}
    assert _entry(store, "c-2").child_id == "c-2"
    # an older school event for c-1, delivered late, stays out
    assert store.apply(view_event(SCHOOL, 2, involvements=(involvement("cahms"),))).outcome == "stale"
    # moved back (a person reversed the unmerge): c-2 empties and goes
    store.apply(move_event(SCHOOL, 1, child_id="c-2", to="c-1"))
    assert _ids(store, "c-1") == {"social-work", "school-nursing"} and _entry(store, "c-2") is None


def test_a_recalled_record_is_shown_under_no_child(store: DirectoryStore) -> None:
    store.apply(view_event(COUNCIL, 1, involvements=(involvement("social-work"),)))
    store.apply(view_event(SCHOOL, 2, involvements=(involvement("school-nursing"),)))
    store.apply(move_event(SCHOOL, 3, child_id="c-1", to=None))
    assert _ids(store) == {"social-work"}


def test_merge_tells_apart_involvement_ids_two_suppliers_share() -> None:
    first = directory_update(child_record("c-1", involvements=(involvement("i0"),)), at=AT, source=COUNCIL)
    second = directory_update(child_record("c-1", involvements=(involvement("i0"),)), at=AT, source=SCHOOL)
    merged = merge_views("c-1", [(COUNCIL, View(1, "201", first)), (SCHOOL, View(2, "201", second))])
    assert merged is not None
    ids = [i.involvement_id for i in merged.entry.involvements]
    assert len(ids) == len(set(ids)) == 2 and "i0" in ids
    assert merge_views("c-1", [(COUNCIL, View(1, "201", None))]) is None


# --- property: interleaved, redelivered updates from two suppliers end in the union --------------------------

_SERVICES = st.lists(st.sampled_from(["social-work", "school-nursing", "early-help", "cahms", "youth"]), unique=True)


@st.composite
def _deliveries(draw: st.DrawFn) -> tuple[list[tuple[str, int, list[str]]], list[int]]:
    """Each supplier's updates (versions from one per-child sequence) and a delivery order with repeats."""
    count = draw(st.integers(min_value=1, max_value=6))
    updates = [(draw(st.sampled_from([COUNCIL, SCHOOL])), version, draw(_SERVICES)) for version in range(1, count + 1)]
    order = draw(st.permutations(range(count)))
    repeats = draw(st.lists(st.integers(min_value=0, max_value=count - 1), max_size=3))
    return updates, [*order, *repeats]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=_deliveries())
def test_interleaved_updates_from_two_suppliers_end_in_the_union_of_current_involvements(
    store: DirectoryStore, plan: tuple[list[tuple[str, int, list[str]]], list[int]]
) -> None:
    updates, order = plan
    child_id = f"c-{uuid.uuid4().hex[:8]}"
    events = [
        view_event(source, version, child_id=child_id, involvements=tuple(involvement(s) for s in services))
        for source, version, services in updates
    ]
    for position in order:
        store.apply(events[position])
    newest: dict[str, list[str]] = {}
    for source, _, services in updates:  # in version order: the last of each source wins
        newest[source] = services
    assert _ids(store, child_id) == {s for services in newest.values() for s in services}
    assert store.version(child_id) == len(updates)


def test_a_view_row_holds_only_the_directory_update(store: DirectoryStore, database: Database) -> None:
    store.apply(view_event(COUNCIL, 1))
    with database.engine.connect() as conn:
        (view,) = conn.execute(select(directory_views.c.view).where(directory_views.c.source == COUNCIL)).scalars()
    assert DirectoryUpdate.model_validate(view).source == COUNCIL
