"""A supplier's purge of a child in the CAF store (``caf.child.purge``).

**What goes.** A purge from council *L* (the event's ``la_code``) at version *p* of child *X* (the subject)
deletes every CAF version *L* sent about *X* — ``caf_assessments`` rows with ``child_id = X``,
``la_code = L`` and a ``child_version`` below *p* (or none: written before versions were stamped). A CAF left
with no version loses its consents too; a consent that had been *withdrawn* keeps only a withdrawal
tombstone (CAF id, consent id, withdrawal time — the form, names and scope go), so that if the supplier
sends the CAF again later, the family's withdrawal still holds and it is not shared again.

**What stays.** CAFs another council sent about the same child: that council is their controller, a CAF may
be another agency's safeguarding record, and a purge from one council must not erase what another holds
(the audit entry counts them). CAF versions the store received *after* the purge (a higher
``child_version``) stay: the purge is ordered with the child's other events, as the directory's is.

**Tombstone.** ``caf_purges`` keeps ``(X, L, p)``: an upsert from *L* about *X* whose ``child_version`` is at
most *p* — a redelivery, a reordered or dead-lettered copy written before the purge — is ``stale`` and
changes nothing (a withdrawal it carries still applies). The CAF's own version row (``caf_versions``) stays
too, as for the directory.

**Serialised per child.** A batch first locks every child it touches (PostgreSQL: transaction-scoped advisory
locks in ascending order; SQLite: the write lock), so an upsert applied by another consumer cannot slip in
between a purge's read and its delete.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, false, insert, select, text, tuple_, update

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.events import Event
from gateway.inbox import in_lists
from gateway.storage.tables import caf_assessments, caf_purges

__all__ = ["ChildPurges", "Held", "lock_children"]

logger = logging.getLogger(__name__)

_NAMESPACE = b"ecm-gateway/caf-child\x00"
_ADVISORY = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:ids AS bigint[])) AS k")


def _lock_id(child_id: str) -> int:
    digest = hashlib.blake2b(_NAMESPACE + child_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_children(connection: Connection, child_ids: Iterable[str]) -> None:
    """Hold, until the transaction ends, a lock per child (call it before reading anything about them)."""
    if connection.dialect.name == "postgresql":
        ids = sorted({_lock_id(child_id) for child_id in child_ids})
        if ids:
            connection.execute(_ADVISORY, {"ids": ids})
        return
    if connection.dialect.name == "sqlite":  # one writer at a time: take the write lock before reading
        connection.execute(update(caf_purges).where(false()).values(version=caf_purges.c.version))


@dataclass(frozen=True, slots=True)
class Held:
    """One stored (or batch-written) CAF version, as a purge sees it."""

    child_id: str | None
    la_code: str
    child_version: int | None


@dataclass
class _Purge:
    event: Event
    removed: list[tuple[str, int]] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)
    kept_elsewhere: int = 0


class ChildPurges:
    """The purge tombstones of a batch's children and the CAF versions a purge may delete: read once,
    changed in memory in batch order, written by :meth:`flush`."""

    def __init__(
        self,
        connection: Connection,
        children: Collection[str],
        purged_children: Collection[str],
        written_cafs: Collection[str] = (),
    ) -> None:
        self._floors: dict[tuple[str, str], int] = {}
        self._stored_floors: set[tuple[str, str]] = set()
        for chunk in in_lists(children):
            rows = connection.execute(
                select(caf_purges.c.child_id, caf_purges.c.la_code, caf_purges.c.version).where(
                    caf_purges.c.child_id.in_(chunk)
                )
            )
            for child_id, la_code, version in rows:
                self._floors[child_id, la_code] = int(version)
                self._stored_floors.add((child_id, la_code))
        self._changed_floors: set[tuple[str, str]] = set()
        self.held: dict[tuple[str, int], Held] = {}
        """Every version of every CAF about a purged child (and of the CAFs the batch writes, as written)."""
        caf_ids: set[str] = set()
        for chunk in in_lists(purged_children):
            found = connection.execute(
                select(caf_assessments.c.caf_id).where(caf_assessments.c.child_id.in_(chunk)).distinct()
            ).scalars()
            caf_ids.update(found)
        if purged_children:  # every version of a CAF the batch writes too, to know which CAFs a purge empties
            caf_ids.update(written_cafs)
        self._load(connection, caf_ids)
        self.stored: frozenset[tuple[str, int]] = frozenset(self.held)
        self.purges: list[_Purge] = []
        self._deleted: set[tuple[str, int]] = set()

    def _load(self, connection: Connection, caf_ids: Iterable[str]) -> None:
        columns = caf_assessments.c
        for chunk in in_lists(caf_ids):
            rows = connection.execute(
                select(columns.caf_id, columns.version, columns.child_id, columns.la_code, columns.child_version)
                .where(columns.caf_id.in_(chunk))
                .order_by(columns.caf_id, columns.version)
            )
            for row in rows:
                version = None if row.child_version is None else int(row.child_version)
                self.held[row.caf_id, int(row.version)] = Held(row.child_id, row.la_code, version)

    @property
    def caf_ids(self) -> set[str]:
        """The CAFs a purge of the batch may touch (their consents must be read too)."""
        return {caf_id for caf_id, _ in self.held}

    def is_purged(self, child_id: str | None, la_code: str, child_version: int | None) -> bool:
        """True when a purge by ``la_code`` of ``child_id`` at or after ``child_version`` was applied."""
        if child_id is None:
            return False
        floor = self._floors.get((child_id, la_code))
        return floor is not None and (child_version is None or child_version <= floor)

    def hold(self, caf_id: str, version: int, held: Held) -> None:
        """Record a CAF version the batch writes (a later purge in the batch may delete it again)."""
        self.held[caf_id, version] = held
        self._deleted.discard((caf_id, version))

    def purge(self, event: Event) -> tuple[list[tuple[str, int]], list[str]] | None:
        """Apply a purge in memory: the CAF versions it deletes and the CAFs left with no version, or ``None``
        when a purge at least as new was already applied for this child and council."""
        key = (event.subject, event.la_code)
        floor = self._floors.get(key)
        if floor is not None and floor >= event.version:
            return None
        self._floors[key] = event.version
        self._changed_floors.add(key)
        record = _Purge(event)
        for caf_key, held in sorted(self.held.items()):
            if held.child_id != event.subject:
                continue
            if held.la_code != event.la_code:
                record.kept_elsewhere += 1
            elif held.child_version is None or held.child_version < event.version:
                record.removed.append(caf_key)
        for caf_key in record.removed:
            del self.held[caf_key]
            self._deleted.add(caf_key)
        remaining = {caf_id for caf_id, _ in self.held}
        record.emptied = sorted({caf_id for caf_id, _ in record.removed} - remaining)
        self.purges.append(record)
        return record.removed, record.emptied

    def flush(self, connection: Connection, audit: AuditLog, at: datetime) -> None:
        """Delete the purged CAF versions that were stored, write the tombstones, audit each purge (ids only).

        Runs before the batch's CAF versions are written (a version deleted and written again is inserted).
        """
        deleted = sorted(self._deleted & self.stored)
        columns = caf_assessments.c
        for start in range(0, len(deleted), 500):
            chunk = deleted[start : start + 500]
            connection.execute(delete(caf_assessments).where(tuple_(columns.caf_id, columns.version).in_(chunk)))
        changed = sorted(self._changed_floors)
        rows: list[dict[str, Any]] = [
            {"child_id": child_id, "la_code": la_code, "version": self._floors[child_id, la_code], "purged_at": at}
            for child_id, la_code in changed
        ]
        inserts = [row for row, key in zip(rows, changed, strict=True) if key not in self._stored_floors]
        updates = [row for row, key in zip(rows, changed, strict=True) if key in self._stored_floors]
        if inserts:
            connection.execute(insert(caf_purges), inserts)
        for row in updates:
            connection.execute(
                update(caf_purges)
                .where(
                    caf_purges.c.child_id == row["child_id"],
                    caf_purges.c.la_code == row["la_code"],
                    caf_purges.c.version < row["version"],
                )
                .values(version=row["version"], purged_at=at)
            )
        for record in self.purges:
            _audit(connection, audit, record, at)


def _audit(connection: Connection, audit: AuditLog, record: _Purge, at: datetime) -> None:
    event = record.event
    audit.append(
        connection,
        AuditEntry.by(
            SYSTEM_CALLER,
            "caf.purge",
            "the supplier asked for the child's record to be purged",
            "purged" if record.removed else "nothing-held",
            subject=event.subject,
            query={
                "event_id": event.event_id,
                "message_id": event.message_id,
                "la_code": event.la_code,
                "kept_other_councils": record.kept_elsewhere,
            },
            result_ids=[f"{caf_id}@{version}" for caf_id, version in record.removed],
        ),
        at=at,
    )
    logger.info(
        "CAF store: child purged",
        extra={"message_id": event.message_id, "la_code": event.la_code, "records": len(record.removed)},
    )
