"""The CAF store (eCAF's job: "create, store and share CAF forms electronically and securely").

A CAF is read only by its lead professional, the assessor's organisation, and agencies inside the scope
of an active consent (:func:`gateway.consent.caf_read_basis`, decided on the latest version). Anyone else
gets the same answer as for a CAF that does not exist. Every read — allowed or not — is audited in the
same transaction. Recording a withdrawal stops sharing at once (the next read is refused) and raises
``caf.consent.withdrawn`` in the same transaction, telling recipients to stop processing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.access import CAF_CONSENT, CAF_READ, AccessDenied, Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.caf.consumer import CAF_INBOX, apply_caf_events, record_withdrawal
from gateway.caf.fhir import export_caf
from gateway.consent import ConsentWithdrawal, ReadBasis, caf_read_basis, caf_subject, withdrawal_event_id
from gateway.errors import StorageError
from gateway.events import Event
from gateway.inbox import ApplyResult
from gateway.model import CafAssessment, Consent
from gateway.storage.database import Database
from gateway.storage.tables import caf_assessments, caf_consents
from gateway.store_events import EventSink, StoreEventTable

__all__ = ["CafStore", "CafSummary", "StoredCaf"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredCaf:
    """A CAF as held: the form (with its consents, withdrawals applied) and whom it is about."""

    assessment: CafAssessment
    child_id: str | None
    la_code: str
    latest_version: int


@dataclass(frozen=True)
class CafSummary:
    """A CAF the caller may read, without its content."""

    caf_id: str
    version: int
    status: str
    review_date: date | None
    basis: ReadBasis


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _consents(connection: Connection, caf_id: str) -> tuple[Consent, ...]:
    rows = connection.execute(
        select(caf_consents.c.record, caf_consents.c.withdrawn_at)
        .where(caf_consents.c.caf_id == caf_id)
        .order_by(caf_consents.c.given_at, caf_consents.c.consent_id)
    ).all()
    # A row with an empty record is a withdrawal that arrived before its consent: nothing to show.
    return tuple(
        Consent.model_validate({**record, "withdrawn_at": _aware(withdrawn_at)})
        for record, withdrawn_at in rows
        if record
    )


def load_caf(connection: Connection, caf_id: str, version: int | None = None) -> StoredCaf | None:
    """The CAF (the latest version, or ``version``) with its consents, or ``None``."""
    latest = connection.execute(
        select(func.max(caf_assessments.c.version)).where(caf_assessments.c.caf_id == caf_id)
    ).scalar_one_or_none()
    if latest is None:
        return None
    wanted = latest if version is None else version
    row = (
        connection.execute(
            select(caf_assessments).where(caf_assessments.c.caf_id == caf_id, caf_assessments.c.version == wanted)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    assessment = CafAssessment.model_validate({**row["form"], "consents": _consents(connection, caf_id)})
    return StoredCaf(assessment=assessment, child_id=row["child_id"], la_code=row["la_code"], latest_version=latest)


class CafStore:
    """The CAF store, on SQLite or PostgreSQL."""

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
        """Apply ``events`` in order in ONE transaction (or in the caller's, given ``connection``).

        The outcomes are those of applying the events one at a time, in order; the writes are set-based (a
        few statements per batch, see :mod:`gateway.caf.consumer`).
        """
        at = datetime.now(UTC)
        try:
            if connection is not None:
                return apply_caf_events(connection, events, at, audit=self.audit)
            with self._db.engine.begin() as conn:
                return apply_caf_events(conn, events, at, audit=self.audit)
        except SQLAlchemyError as exc:
            raise StorageError("could not apply events to the CAF store") from exc

    def version(self, caf_id: str) -> int | None:
        """The newest event version applied for the CAF."""
        with self._db.engine.connect() as conn:
            return CAF_INBOX.version(conn, caf_subject(caf_id))

    def withdrawals(self, caf_id: str) -> dict[str, datetime]:
        """Recorded withdrawals of the CAF's consents (for :func:`gateway.consent.merge_withdrawals`)."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(caf_consents.c.consent_id, caf_consents.c.withdrawn_at).where(
                    caf_consents.c.caf_id == caf_id, caf_consents.c.withdrawn_at.is_not(None)
                )
            ).all()
        found: dict[str, datetime] = {}
        for consent_id, withdrawn in rows:
            found[consent_id] = withdrawn.replace(tzinfo=UTC) if withdrawn.tzinfo is None else withdrawn
        return found

    # --- reads -----------------------------------------------------------------------------------------------

    def _role(self, caller: Caller, role: str, action: str, why: str, query: dict[str, Any]) -> None:
        if caller.has(role):
            return
        with self._db.engine.begin() as conn:
            self.audit.append(
                conn, AuditEntry.by(caller, action, why, "denied", subject=query.get("caf_id"), query=query)
            )
        raise AccessDenied(f"{action} needs a role the caller does not hold")

    def _read(
        self, caf_id: str, caller: Caller, purpose: str, *, action: str, version: int | None, at: datetime | None
    ) -> StoredCaf | None:
        when = at or datetime.now(UTC)
        query: dict[str, Any] = {"caf_id": caf_id, "version": version}
        self._role(caller, CAF_READ, action, purpose, query)
        try:
            with self._db.engine.begin() as conn:
                stored = load_caf(conn, caf_id, version)
                basis = None
                if stored is not None:
                    latest = stored if version is None else load_caf(conn, caf_id)
                    basis = caf_read_basis(latest.assessment, caller, when) if latest is not None else None
                outcome = "not-found" if stored is None else f"read:{basis}" if basis else "denied"
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        action,
                        purpose,
                        outcome,
                        subject=caf_id,
                        query=query,
                        result_ids=[f"{caf_id}@{stored.assessment.version}"] if basis and stored else [],
                    ),
                    at=when,
                )
        except SQLAlchemyError as exc:
            raise StorageError("CAF read failed") from exc
        return stored if basis else None

    def read(
        self, caf_id: str, caller: Caller, purpose: str, *, version: int | None = None, at: datetime | None = None
    ) -> StoredCaf | None:
        """The CAF if ``caller`` may read it now, else ``None`` (absent and not allowed look the same)."""
        return self._read(caf_id, caller, purpose, action="caf.read", version=version, at=at)

    def export_fhir(
        self, caf_id: str, caller: Caller, purpose: str, *, version: int | None = None, at: datetime | None = None
    ) -> bytes | None:
        """The CAF as a FHIR R4 Bundle (QuestionnaireResponse + Consents), under the same rule as :meth:`read`."""
        when = at or datetime.now(UTC)
        stored = self._read(caf_id, caller, purpose, action="caf.export-fhir", version=version, at=when)
        return None if stored is None else export_caf(stored.assessment, child_id=stored.child_id, at=when)

    def for_child(self, child_id: str, caller: Caller, purpose: str, *, at: datetime | None = None) -> list[CafSummary]:
        """The CAFs about a child that ``caller`` may read (nothing about the others); audited."""
        when = at or datetime.now(UTC)
        self._role(caller, CAF_READ, "caf.list", purpose, {"child_id": child_id})
        summaries: list[CafSummary] = []
        try:
            with self._db.engine.begin() as conn:
                caf_ids = conn.execute(
                    select(caf_assessments.c.caf_id)
                    .where(caf_assessments.c.child_id == child_id)
                    .distinct()
                    .order_by(caf_assessments.c.caf_id)
                ).scalars()
                for caf_id in list(caf_ids):
                    stored = load_caf(conn, caf_id)
                    basis = caf_read_basis(stored.assessment, caller, when) if stored is not None else None
                    if stored is not None and basis is not None:
                        caf = stored.assessment
                        summaries.append(CafSummary(caf.caf_id, caf.version, caf.status, caf.review_date, basis))
                self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        "caf.list",
                        purpose,
                        "found" if summaries else "none",
                        subject=child_id,
                        query={"child_id": child_id},
                        result_ids=[summary.caf_id for summary in summaries],
                    ),
                    at=when,
                )
        except SQLAlchemyError as exc:
            raise StorageError("CAF list failed") from exc
        return summaries

    # --- withdrawal ------------------------------------------------------------------------------------------

    def withdraw_consent(
        self, caf_id: str, consent_id: str, caller: Caller, reason: str, *, at: datetime | None = None
    ) -> bool:
        """Record that a consent was withdrawn; sharing under it stops at once. False when there is no such
        consent on a CAF the caller holds as lead professional or assessor's organisation.

        Raises ``caf.consent.withdrawn`` (event id :func:`~gateway.consent.withdrawal_event_id`, so every copy
        deduplicates) in the same transaction, naming the organisations that must stop processing.
        """
        when = at or datetime.now(UTC)
        query = {"caf_id": caf_id, "consent_id": consent_id}
        self._role(caller, CAF_CONSENT, "caf.consent.withdraw", reason, query)
        try:
            with self._db.engine.begin() as conn:
                stored = load_caf(conn, caf_id)
                consent = None
                if stored is not None:
                    consent = next((c for c in stored.assessment.consents if c.consent_id == consent_id), None)
                    basis = caf_read_basis(
                        stored.assessment, caller.model_copy(update={"roles": frozenset({CAF_READ})}), when
                    )
                    if basis not in ("lead-professional", "assessor-organisation"):
                        consent = None
                if stored is None or consent is None:
                    self.audit.append(
                        conn,
                        AuditEntry.by(caller, "caf.consent.withdraw", reason, "not-found", subject=caf_id, query=query),
                        at=when,
                    )
                    return False
                changed = record_withdrawal(conn, caf_id, consent_id, when, when)
                seq = self.audit.append(
                    conn,
                    AuditEntry.by(
                        caller,
                        "caf.consent.withdraw",
                        reason,
                        "withdrawn" if changed else "already-withdrawn",
                        subject=caf_id,
                        query=query,
                        result_ids=[consent_id],
                    ),
                    at=when,
                )
                withdrawn_at = when if changed or consent.withdrawn_at is None else consent.withdrawn_at
                payload = ConsentWithdrawal(
                    caf_id=caf_id, consent_id=consent_id, withdrawn_at=withdrawn_at, scope=consent.scope
                )
                self.events.emit(
                    conn,
                    Event(
                        event_id=withdrawal_event_id(caf_id, consent_id),
                        kind="caf.consent.withdrawn",
                        subject=caf_subject(caf_id),
                        version=CAF_INBOX.version(conn, caf_subject(caf_id)) or 0,
                        la_code=stored.la_code,
                        message_id=f"audit:{seq}",
                        occurred_at=when,
                        payload=payload.model_dump(mode="json", exclude_none=True),
                    ),
                )
        except SQLAlchemyError as exc:
            raise StorageError("could not record the consent withdrawal") from exc
        logger.info("CAF consent withdrawn", extra={"la_code": stored.la_code, "outcome": "withdrawn"})
        return True
