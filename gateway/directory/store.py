"""The directory store: ContactPoint's job — "showing staff who else is working with a particular child".

Fed by routed events (:meth:`DirectoryStore.apply`), read by practitioners. Every read is audited in the
same transaction (who, why, the query, the ids returned); a read that cannot be audited is not made.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Self

from pydantic import Field, model_validator
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.access import (
    DIRECTORY_BREAK_GLASS,
    DIRECTORY_INVOLVEMENT,
    DIRECTORY_READ,
    AccessDenied,
    Caller,
)
from gateway.audit import AuditEntry, AuditLog
from gateway.directory.consumer import DIRECTORY_INBOX, apply_directory_events
from gateway.directory.records import involvement_row, load_entry, load_involvements, load_withheld, to_involvement
from gateway.directory.retention import archive_due, delete_archived
from gateway.directory.search import DirectoryQuery, SearchResult, run_search
from gateway.errors import StorageError
from gateway.events import Event
from gateway.inbox import ApplyResult
from gateway.model import ContactDetail, Organisation, PersonName, Practitioner, SensitiveCategory
from gateway.model._base import CanonicalModel
from gateway.storage.database import Database
from gateway.storage.tables import directory_children, directory_involvements
from gateway.store_events import EventSink, StoreEventTable
from gateway.views import DirectoryCarer, DirectoryEntry, DirectoryInvolvement, SharingBasis, WithheldDetails

__all__ = ["BREAK_GLASS_MIN_REASON", "BrokenGlass", "DirectoryStore", "InvolvementStart"]

logger = logging.getLogger(__name__)

BREAK_GLASS_MIN_REASON = 10
"""A break-glass reason must say something: at least this many characters."""


class InvolvementStart(CanonicalModel):
    """A practitioner records that their organisation has started working with a child."""

    service_type: str = Field(min_length=1, max_length=64)
    role: str | None = Field(default=None, max_length=128)
    start: date
    lead_professional: bool = False
    practitioner_name: PersonName | None = None
    contacts: tuple[ContactDetail, ...] = Field(default=(), max_length=5)
    """The practitioner's work contacts."""
    organisation_name: str | None = Field(default=None, max_length=200)
    sensitive_category: SensitiveCategory | None = None
    shared_on: SharingBasis | None = None
    """Required for a sensitive service: the family's explicit consent, or a safeguarding reason."""

    @model_validator(mode="after")
    def _basis(self) -> Self:
        if self.sensitive_category is not None and self.shared_on is None:
            raise ValueError("a sensitive-service involvement needs explicit consent or a safeguarding reason")
        if self.sensitive_category is None and self.shared_on is not None:
            raise ValueError("shared_on is given only for a sensitive-service involvement")
        return self


@dataclass(frozen=True)
class BrokenGlass:
    """A shielded entry with its withheld address and contacts, and the audit entry of the break glass."""

    entry: DirectoryEntry
    audit_seq: int


def _revealed(entry: DirectoryEntry, withheld: WithheldDetails | None) -> DirectoryEntry:
    if withheld is None:
        return entry
    by_position = {carer.position: carer for carer in withheld.carers}
    carers: list[DirectoryCarer] = []
    for position, carer in enumerate(entry.carers):
        hidden = by_position.get(position)
        carers.append(
            carer
            if hidden is None
            else carer.model_copy(update={"contacts": hidden.contacts, "address": hidden.address})
        )
    return entry.model_copy(
        update={
            "address": withheld.address,
            "address_status": "known" if withheld.address is not None else entry.address_status,
            "carers": tuple(carers),
        }
    )


class DirectoryStore:
    """The directory, on SQLite or PostgreSQL. Every method runs in one transaction."""

    def __init__(self, database: Database, *, audit: AuditLog | None = None, events: EventSink | None = None) -> None:
        self._db = database
        self.audit = audit or AuditLog()
        self.events = events or StoreEventTable()

    @property
    def database(self) -> Database:
        return self._db

    # --- consuming routed events -------------------------------------------------------------------------

    def apply(self, event: Event) -> ApplyResult:
        """Apply one routed event in its own transaction (see :mod:`gateway.inbox` for the outcomes)."""
        return self.apply_batch([event])[0]

    def apply_batch(self, events: Sequence[Event], *, connection: Connection | None = None) -> list[ApplyResult]:
        """Apply ``events`` in order in ONE transaction: all their changes commit together, or none.

        The outcomes are those of applying the events one at a time, in order; the writes are set-based (a
        few statements per batch, see :mod:`gateway.directory.consumer`). Pass ``connection`` to run
        inside a transaction the caller owns (e.g. a local transport deleting the delivered messages in
        the same commit). Rejections do not abort the batch.
        """
        at = datetime.now(UTC)
        try:
            if connection is not None:
                return apply_directory_events(connection, events, self.audit, at)
            with self._db.engine.begin() as conn:
                return apply_directory_events(conn, events, self.audit, at)
        except SQLAlchemyError as exc:
            raise StorageError("could not apply events to the directory") from exc

    def version(self, child_id: str) -> int | None:
        """The newest event version applied for ``child_id``."""
        with self._db.engine.connect() as conn:
            return DIRECTORY_INBOX.version(conn, child_id)

    # --- reads -----------------------------------------------------------------------------------------------

    def _denied(self, caller: Caller, action: str, reason: str, subject: str | None, query: dict[str, object]) -> None:
        with self._db.engine.begin() as conn:
            self.audit.append(conn, AuditEntry.by(caller, action, reason, "denied", subject=subject, query=query))
        raise AccessDenied(f"{action} needs a role the caller does not hold")

    def search(self, query: DirectoryQuery, caller: Caller, purpose: str) -> SearchResult:
        """Search the directory; audited with the criteria and the child ids returned."""
        if not caller.has(DIRECTORY_READ):
            self._denied(caller, "directory.search", purpose, None, query.parameters())
        try:
            with self._db.engine.begin() as conn:
                result = run_search(conn, query)
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        "directory.search",
                        purpose,
                        "found" if result.results else "none",
                        query=query.parameters(),
                        result_ids=[hit.child_id for hit in result.results],
                    ),
                )
        except SQLAlchemyError as exc:
            raise StorageError("directory search failed") from exc
        return result

    def entry(self, child_id: str, caller: Caller, purpose: str) -> DirectoryEntry | None:
        """A child's entry (shielding applied), or ``None``; audited."""
        if not caller.has(DIRECTORY_READ):
            self._denied(caller, "directory.view", purpose, child_id, {"child_id": child_id})
        try:
            with self._db.engine.begin() as conn:
                found = load_entry(conn, child_id)
                self._audit_read(conn, caller, "directory.view", child_id, why=purpose, found=found is not None)
        except SQLAlchemyError as exc:
            raise StorageError("directory read failed") from exc
        return found

    def involvements(self, child_id: str, caller: Caller, purpose: str) -> tuple[DirectoryInvolvement, ...] | None:
        """Who is (and was) working with the child, with start, end and lead professional; audited."""
        if not caller.has(DIRECTORY_READ):
            self._denied(caller, "directory.involvements", purpose, child_id, {"child_id": child_id})
        try:
            with self._db.engine.begin() as conn:
                found = load_entry(conn, child_id)
                self._audit_read(conn, caller, "directory.involvements", child_id, why=purpose, found=found is not None)
        except SQLAlchemyError as exc:
            raise StorageError("directory read failed") from exc
        return None if found is None else found.involvements

    def _audit_read(
        self, conn: Connection, caller: Caller, action: str, child_id: str, *, why: str, found: bool
    ) -> int:
        return self.audit.append(
            conn,
            AuditEntry.by(
                caller,
                action,
                why,
                "found" if found else "not-found",
                subject=child_id,
                query={"child_id": child_id},
                result_ids=[child_id] if found else [],
            ),
        )

    def break_glass(self, child_id: str, caller: Caller, reason: str) -> BrokenGlass | None:
        """Lift a shielded child's shield: needs the role and a stated reason; audited and alerted.

        Returns ``None`` when there is no such (unarchived) child. An alert event
        (``directory.shield.lifted``) is raised in the same transaction as the audit entry.
        """
        if not caller.has(DIRECTORY_BREAK_GLASS):
            self._denied(caller, "directory.break-glass", reason[:500], child_id, {"child_id": child_id})
        if len(reason.strip()) < BREAK_GLASS_MIN_REASON:
            raise ValueError(f"a break-glass reason must have at least {BREAK_GLASS_MIN_REASON} characters")
        try:
            with self._db.engine.begin() as conn:
                found = load_entry(conn, child_id)
                if found is None:
                    self._audit_read(conn, caller, "directory.break-glass", child_id, why=reason, found=False)
                    return None
                seq = self._audit_read(conn, caller, "directory.break-glass", child_id, why=reason, found=True)
                if not found.shielded:
                    return BrokenGlass(entry=found, audit_seq=seq)
                la_code = conn.execute(
                    select(directory_children.c.la_code).where(directory_children.c.child_id == child_id)
                ).scalar_one()
                self.events.emit(
                    conn,
                    Event(
                        event_id=f"directory.shield.lifted:{seq}",
                        kind="directory.shield.lifted",
                        subject=child_id,
                        version=DIRECTORY_INBOX.version(conn, child_id) or 0,
                        la_code=la_code,
                        message_id=f"audit:{seq}",
                        occurred_at=datetime.now(UTC),
                        payload={
                            "child_id": child_id,
                            "user_id": caller.user_id,
                            "organisation_code": caller.organisation_code,
                            "audit_seq": seq,
                        },
                    ),
                )
                revealed = _revealed(found, load_withheld(conn, child_id))
        except SQLAlchemyError as exc:
            raise StorageError("break glass failed") from exc
        logger.warning("shield lifted (break glass)", extra={"la_code": la_code, "outcome": "alerted"})
        return BrokenGlass(entry=revealed, audit_seq=seq)

    # --- practitioners recording their own involvement -------------------------------------------------------

    def record_involvement(self, child_id: str, caller: Caller, start: InvolvementStart) -> DirectoryInvolvement | None:
        """Record that the caller's organisation started working with the child; ``None`` if no such child."""
        if not caller.has(DIRECTORY_INVOLVEMENT):
            self._denied(caller, "directory.involvement.start", "record involvement", child_id, {"child_id": child_id})
        organisation = Organisation(code=caller.organisation_code, name=start.organisation_name)
        involvement = DirectoryInvolvement(
            involvement_id=f"p-{uuid.uuid4().hex}",
            service_type=start.service_type,
            organisation=organisation,
            practitioner=Practitioner(
                practitioner_id=caller.user_id,
                name=start.practitioner_name,
                role=start.role,
                organisation=organisation,
                contacts=start.contacts,
            ),
            role=start.role,
            start=start.start,
            lead_professional=start.lead_professional,
            sensitive_category=start.sensitive_category,
            shared_on=start.shared_on,
            recorded_by="practitioner",
        )
        try:
            with self._db.engine.begin() as conn:
                exists = load_entry(conn, child_id) is not None
                if exists:
                    conn.execute(directory_involvements.insert().values(**involvement_row(child_id, involvement)))
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        "directory.involvement.start",
                        "record involvement",
                        "recorded" if exists else "not-found",
                        subject=child_id,
                        query={"child_id": child_id, "service_type": start.service_type},
                        result_ids=[involvement.involvement_id] if exists else [],
                    ),
                )
        except SQLAlchemyError as exc:
            raise StorageError("could not record the involvement") from exc
        return involvement if exists else None

    def end_involvement(
        self, child_id: str, involvement_id: str, caller: Caller, end: date
    ) -> DirectoryInvolvement | None:
        """Record the end of an involvement the caller's organisation recorded; ``None`` if there is none.

        Raises :class:`AccessDenied` for an involvement recorded by a supplier system or another organisation
        (it ends where it was recorded), and ``ValueError`` when ``end`` is before the start.
        """
        if not caller.has(DIRECTORY_INVOLVEMENT):
            self._denied(caller, "directory.involvement.end", "end involvement", child_id, {"child_id": child_id})
        key = (directory_involvements.c.child_id == child_id, directory_involvements.c.involvement_id == involvement_id)
        query = {"child_id": child_id, "involvement_id": involvement_id, "end": end}
        with self._db.engine.begin() as conn:
            row = conn.execute(select(directory_involvements).where(*key)).mappings().first()
            mine = (
                row is not None
                and row["recorded_by"] == "practitioner"
                and row["organisation_code"] == caller.organisation_code
            )
            if row is None or not mine or (row["start_date"] is not None and end < row["start_date"]):
                outcome = "not-found" if row is None else "denied" if not mine else "invalid"
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller, "directory.involvement.end", "end involvement", outcome, subject=child_id, query=query
                    ),
                )
            else:
                conn.execute(update(directory_involvements).where(*key).values(end_date=end))
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        "directory.involvement.end",
                        "end involvement",
                        "ended",
                        subject=child_id,
                        query=query,
                        result_ids=[involvement_id],
                    ),
                )
                return to_involvement({**row, "end_date": end})
        if row is None:
            return None
        if not mine:
            raise AccessDenied("an involvement ends in the system (or organisation) that recorded it")
        raise ValueError("an involvement cannot end before it started")

    # --- retention and housekeeping ----------------------------------------------------------------------------

    def archive_due(self, on: date) -> list[str]:
        """Archive every entry whose retention date has come (18th, or 25th, birthday); returns their ids."""
        return archive_due(self._db.engine, self.audit, on)

    def delete_archived(self, archived_before: datetime) -> list[str]:
        """Delete (for real) entries archived before ``archived_before``; returns their ids."""
        return delete_archived(self._db.engine, self.audit, archived_before)

    def all_involvements(self, child_id: str) -> tuple[DirectoryInvolvement, ...]:
        """Involvements without auditing — for the gateway's own checks (never for practitioners' reads)."""
        with self._db.engine.connect() as conn:
            return load_involvements(conn, child_id)

    def child_ids(self, *, archived: bool | None = None) -> list[str]:
        """Ids of the entries held (for operators' tools and tests; no content)."""
        statement = select(directory_children.c.child_id).order_by(directory_children.c.child_id)
        if archived is not None:
            column = directory_children.c.archived_at
            statement = statement.where(column.is_not(None) if archived else column.is_(None))
        with self._db.engine.connect() as conn:
            return list(conn.execute(statement).scalars())
