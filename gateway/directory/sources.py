"""One directory entry per child, built from several supplier records' views of that child.

Identity resolution links records from several suppliers (a council's case system, a school, health) to one
gateway child id. Each record's ``directory.child.upsert`` carries its own view (``DirectoryUpdate.source``:
the record's id in the match index, a digest). The directory keeps every view (``directory_views``) and
merges them into the child's one entry, so a second supplier *adds* to what the first said:

* **involvements** ("who is working with this child") — the union of every view's involvements (an id two
  views both use is told apart by a short tag of the second view's source), plus those practitioners
  recorded themselves;
* **names** — the newest view's names as sent; every other name another view knows the child by is kept
  (a former name stays ``former``, any other becomes an ``alias``), so a search by any of them still finds
  the child;
* **address** — the newest view that recorded one (an address, or "no known address"); **shielding** — if
  *any* view says the child is shielded, the entry is shielded: every address and contact, from every
  view, goes to the withheld details;
* **identifiers, birth date, sex, education setting, GP, CAF indicator** — the newest view that has one;
  council ids are the union; **retention** — the latest date any view gives.

"Newest" is the event version: versions are assigned per child in commit order by the gateway's outbox,
so they order every source's views of one child.

**Versions per source.** An upsert is stale only when *its own source* already has a version at least as
new (or the child was purged at or after it): another supplier's newer update does not make it stale, and a
redelivery of an old event never overwrites newer data. A purge at version *v* removes every view older
than *v* and sets a floor (source ``*``) below which every later-arriving event is stale. A move
(``directory.child.move``, after a person unmerges or re-links a record) takes the record's view out of one
child (leaving a tombstone with the move's version, so older events for it stay stale there) and, unless
the target already has a view from that record, into the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, insert, select

from gateway.inbox import in_lists
from gateway.model import Address, PersonName
from gateway.storage.tables import directory_versions, directory_views
from gateway.views import (
    AddressStatus,
    DirectoryCarer,
    DirectoryEntry,
    DirectoryInvolvement,
    DirectoryUpdate,
    WithheldCarer,
    WithheldDetails,
)

__all__ = ["FLOOR", "UNNAMED", "View", "ViewBatch", "merge_views"]

FLOOR: Final = "*"
"""The ``source`` of the row holding a child's purge floor."""
UNNAMED: Final = "-"
"""The source of updates that name none (each replaces the last, as before views existed)."""


@dataclass
class View:
    """One source's latest view of a child (``update`` is ``None`` once the view was moved away)."""

    version: int
    la_code: str | None
    update: DirectoryUpdate | None


def _tag(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]


def _name_key(name: PersonName) -> tuple[tuple[str, ...], str]:
    return tuple(g.casefold() for g in name.given), (name.family or "").casefold()


def _names(updates: Sequence[DirectoryUpdate]) -> tuple[PersonName, ...]:
    names = list(updates[0].entry.names)
    seen = {_name_key(name) for name in names}
    for update in updates[1:]:
        for name in update.entry.names:
            if _name_key(name) in seen:
                continue
            seen.add(_name_key(name))
            names.append(name if name.use in ("former", "alias") else name.model_copy(update={"use": "alias"}))
    return tuple(names)


def _first(values: Iterable[Any]) -> Any:
    return next((value for value in values if value is not None), None)


def _carer_key(carer: DirectoryCarer) -> tuple[Any, ...]:
    if carer.carer_id:
        return ("id", carer.carer_id)
    return ("name", tuple(_name_key(name) for name in carer.names), (carer.relationship or "").casefold())


def _carers(updates: Sequence[DirectoryUpdate]) -> list[tuple[DirectoryCarer, WithheldCarer | None]]:
    """Every view's carers, newest view first, each once, with what its view withheld about it."""
    found: list[tuple[DirectoryCarer, WithheldCarer | None]] = []
    seen: set[tuple[Any, ...]] = set()
    for update in updates:
        withheld = {c.position: c for c in update.withheld.carers} if update.withheld is not None else {}
        for position, carer in enumerate(update.entry.carers):
            key = _carer_key(carer)
            if key not in seen:
                seen.add(key)
                found.append((carer, withheld.get(position)))
    return found


def _involvements(updates: Sequence[DirectoryUpdate], sources: Sequence[str]) -> tuple[DirectoryInvolvement, ...]:
    found: list[DirectoryInvolvement] = []
    seen: set[str] = set()
    for update, source in zip(updates, sources, strict=True):
        for involvement in update.entry.involvements:
            kept = involvement
            if involvement.involvement_id in seen:
                kept = involvement.model_copy(
                    update={"involvement_id": f"{involvement.involvement_id[:150]}@{_tag(source)}"}
                )
            seen.add(kept.involvement_id)
            found.append(kept)
    return tuple(found)


def _address(updates: Sequence[DirectoryUpdate]) -> tuple[Address | None, AddressStatus]:
    for update in updates:
        if update.entry.address_status in ("known", "no_known_address"):
            return update.entry.address, update.entry.address_status
    return None, "not_recorded"


def _shielded(
    updates: Sequence[DirectoryUpdate], carers: Sequence[tuple[DirectoryCarer, WithheldCarer | None]]
) -> tuple[tuple[DirectoryCarer, ...], WithheldDetails]:
    """Shielding wins: every view's addresses and contacts leave the entry for the withheld details."""
    address = _first(
        update.withheld.address if update.withheld is not None else update.entry.address for update in updates
    )
    shown: list[DirectoryCarer] = []
    hidden: list[WithheldCarer] = []
    for position, (carer, withheld) in enumerate(carers):
        contacts = withheld.contacts if withheld is not None else carer.contacts
        carer_address = withheld.address if withheld is not None else carer.address
        if contacts or carer_address is not None:
            hidden.append(WithheldCarer(position=position, contacts=contacts, address=carer_address))
        shown.append(carer.model_copy(update={"contacts": (), "address": None}))
    return tuple(shown), WithheldDetails(address=address, carers=tuple(hidden))


def merge_views(child_id: str, views: Sequence[tuple[str, View]]) -> DirectoryUpdate | None:
    """The child's entry from its sources' views (newest first by version); ``None`` when none is live."""
    live = sorted(
        ((source, view) for source, view in views if view.update is not None),
        key=lambda item: (item[1].version, item[0]),
        reverse=True,
    )
    if not live:
        return None
    sources = [source for source, _ in live]
    updates = [view.update for _, view in live if view.update is not None]
    if len(updates) == 1:
        only = updates[0]
        entry = only.entry if only.entry.child_id == child_id else only.entry.model_copy(update={"child_id": child_id})
        return only.model_copy(update={"entry": entry, "source": None})
    entries = [update.entry for update in updates]
    carers = _carers(updates)
    shielded = any(entry.shielded for entry in entries)
    withheld: WithheldDetails | None = None
    if shielded:
        shown, withheld = _shielded(updates, carers)
        address, status = None, "withheld"
    else:
        shown = tuple(carer for carer, _ in carers)
        address, status = _address(updates)
    entry = DirectoryEntry(
        child_id=child_id,
        local_ids=tuple(dict.fromkeys(local for entry in entries for local in entry.local_ids)),
        nhs_number=_first(entry.nhs_number for entry in entries),
        upn=_first(entry.upn for entry in entries),
        names=_names(updates),
        birth_date=_first(entry.birth_date for entry in entries),
        sex=_first(entry.sex for entry in entries),
        address=address,
        address_status=status,
        shielded=shielded,
        carers=shown,
        education_setting=_first(entry.education_setting for entry in entries),
        gp_practice=_first(entry.gp_practice for entry in entries),
        involvements=_involvements(updates, sources),
        caf=_first(entry.caf for entry in entries),
    )
    retain = [update.retain_until for update in updates if update.retain_until is not None]
    return DirectoryUpdate(entry=entry, withheld=withheld, retain_until=max(retain) if retain else None)


@dataclass
class _Child:
    views: dict[str, View] = field(default_factory=dict)
    floor: int = 0
    changed: bool = False
    purged: bool = False

    def live(self) -> bool:
        return any(view.update is not None for view in self.views.values())


class ViewBatch:
    """The views of a batch's children, read once, changed in memory in event order, written once."""

    def __init__(self, connection: Connection, subjects: Iterable[str]) -> None:
        self._children: dict[str, _Child] = {}
        wanted = sorted(set(subjects))
        for chunk in in_lists(wanted):
            rows = connection.execute(select(directory_views).where(directory_views.c.child_id.in_(chunk)))
            for row in rows.mappings():
                child = self._children.setdefault(row["child_id"], _Child())
                if row["source"] == FLOOR:
                    child.floor = int(row["version"])
                else:
                    update = DirectoryUpdate.model_validate(row["view"]) if row["view"] is not None else None
                    child.views[row["source"]] = View(int(row["version"]), row["la_code"], update)
        legacy = [subject for subject in wanted if subject not in self._children]
        for chunk in in_lists(legacy):  # entries written before views existed: their version is the floor
            rows = connection.execute(
                select(directory_versions.c.subject, directory_versions.c.version).where(
                    directory_versions.c.subject.in_(chunk)
                )
            )
            for subject, version in rows:
                self._children[subject] = _Child(floor=int(version))
        for subject in wanted:
            self._children.setdefault(subject, _Child())

    def _child(self, subject: str) -> _Child:
        return self._children.setdefault(subject, _Child())

    def is_stale(self, subject: str, source: str | None, version: int) -> bool:
        """True when ``source`` (or a purge) already holds a version of ``subject`` at least as new (``FLOOR``
        as the source asks about purges only)."""
        child = self._child(subject)
        if version <= child.floor:
            return True
        view = child.views.get(source or UNNAMED) if source != FLOOR else None
        return view is not None and version <= view.version

    def upsert(self, subject: str, version: int, la_code: str, update: DirectoryUpdate) -> None:
        child = self._child(subject)
        child.views[update.source or UNNAMED] = View(version, la_code, update)
        child.changed = True

    def purge(self, subject: str, version: int) -> None:
        """Every view older than ``version`` goes; nothing older may come back."""
        child = self._child(subject)
        child.views = {source: view for source, view in child.views.items() if view.version > version}
        child.floor = max(child.floor, version)
        child.changed = child.purged = True

    def move(self, subject: str, version: int, source: str, to: str | None) -> None:
        """``source``'s view leaves ``subject`` (a tombstone stays) and, unless ``to`` has its own, joins ``to``."""
        child = self._child(subject)
        moving = child.views.get(source)
        child.views[source] = View(version, moving.la_code if moving else None, None)
        child.changed = True
        if to is None or to == subject or moving is None or moving.update is None:
            return
        target = self._child(to)
        there = target.views.get(source)
        if there is not None and there.update is not None:
            return  # the target already has a (newer) view from this record
        entry = moving.update.entry.model_copy(update={"child_id": to})
        target.views[source] = View(there.version if there else 0, moving.la_code, moving.update.model_copy(
            update={"entry": entry}
        ))  # fmt: skip
        target.changed = True

    def touched(self) -> list[str]:
        """Children whose views changed in this batch."""
        return sorted(subject for subject, child in self._children.items() if child.changed)

    def merged(self, subject: str) -> tuple[DirectoryUpdate, str | None] | None:
        """The child's merged entry and the LA of its newest view, or ``None`` when no view is live."""
        child = self._child(subject)
        views = list(child.views.items())
        update = merge_views(subject, views)
        if update is None:
            return None
        newest = max((view for _, view in views if view.update is not None), key=lambda view: view.version)
        return update, newest.la_code

    def write(self, connection: Connection, at: datetime) -> None:
        """Replace the stored views of every touched child (two statements per few hundred children); a purged
        child left with no view keeps no row at all."""
        touched = self.touched()
        for chunk in in_lists(touched):
            connection.execute(delete(directory_views).where(directory_views.c.child_id.in_(chunk)))
        rows: list[dict[str, Any]] = []
        for subject in touched:
            child = self._children[subject]
            if child.purged and not child.live():
                continue  # nothing is kept of a purged child: its version (directory_versions) is the floor
            row = {"child_id": subject, "updated_at": at}
            if child.floor:
                rows.append({**row, "source": FLOOR, "version": child.floor, "la_code": None, "view": None})
            for source, view in sorted(child.views.items()):
                payload = view.update.model_dump(mode="json", exclude_none=True) if view.update is not None else None
                rows.append(
                    {**row, "source": source, "version": view.version, "la_code": view.la_code, "view": payload}
                )
        if rows:
            connection.execute(insert(directory_views), rows)
