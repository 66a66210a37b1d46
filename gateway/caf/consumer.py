"""Applying routed events to the CAF store: ``caf.assessment.upsert``, ``caf.consent.withdrawn`` and
``caf.child.purge`` (a supplier's purge: :mod:`gateway.caf.purge`).

Withdrawals are *sticky*: a consent's recorded withdrawal time only ever moves earlier. An upsert that
still shows the consent as active (a replayed old message, or a copy that crossed the withdrawal in
flight) cannot make it active again, and a withdrawal is applied whatever its version — it is never
"stale". A withdrawal that arrives before the CAF itself is kept and applied when the CAF arrives.

A batch is applied set-based (:func:`apply_caf_events`): the inbox, the versions and the consents of the
batch's CAFs are read in a few statements, every event's outcome is decided in memory in batch order —
exactly as if the events were applied one at a time — and the CAF versions, consents, versions and inbox
rows are written with one multi-row statement each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from gateway.audit import AuditLog
from gateway.caf.purge import ChildPurges, Held, lock_children
from gateway.consent import CafUpdate, ConsentWithdrawal, caf_subject
from gateway.events import Event
from gateway.inbox import ApplyResult, Inbox, contains_nul, in_lists, invalid_payload_reason
from gateway.model import CafAssessment, Consent
from gateway.storage.tables import caf_assessments, caf_consents, caf_inbox, caf_versions

__all__ = ["CAF_INBOX", "apply_caf_events", "record_withdrawal"]

CAF_INBOX = Inbox(caf_inbox, caf_versions)

_KINDS = frozenset({"caf.assessment.upsert", "caf.consent.withdrawn", "caf.child.purge"})
_MAX_ID = 128
_MAX_ORG = 32


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return min(first, second)


def record_withdrawal(
    connection: Connection, caf_id: str, consent_id: str, withdrawn_at: datetime, at: datetime
) -> bool:
    """Record a withdrawal (earliest time wins); returns True when it changed what the store held."""
    key = (caf_consents.c.caf_id == caf_id, caf_consents.c.consent_id == consent_id)
    row = connection.execute(select(caf_consents.c.withdrawn_at).where(*key)).first()
    if row is None:
        # The CAF has not arrived (or this consent is not in it yet): keep the withdrawal for when it does.
        connection.execute(
            insert(caf_consents).values(
                caf_id=caf_id,
                consent_id=consent_id,
                purpose="caf_sharing",
                given_at=withdrawn_at,
                withdrawn_at=withdrawn_at,
                withdrawal_recorded_at=at,
                record={},
            )
        )
        return True
    held = _aware(row.withdrawn_at)
    if held is not None and held <= withdrawn_at:
        return False
    # Conditional in SQL too: an earlier withdrawal committed since the read above is never moved later.
    later = or_(caf_consents.c.withdrawn_at.is_(None), caf_consents.c.withdrawn_at > withdrawn_at)
    changed = connection.execute(
        update(caf_consents).where(*key, later).values(withdrawn_at=withdrawn_at, withdrawal_recorded_at=at)
    )
    return bool(changed.rowcount)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass
class _Consent:
    """A ``caf_consents`` row as the batch leaves it."""

    values: dict[str, Any]
    stored: bool
    changed: bool = False
    deleted: bool = False


class _Consents:
    """The consents of a batch's CAFs: read in one go, changed in memory in batch order, written in one go.

    The rows are read ``FOR UPDATE`` (in key order) on PostgreSQL: a withdrawal recorded through the API
    while the batch runs either commits first (and is read here) or waits for the batch — it is never
    overwritten by what the batch read before it. (SQLite has one writer at a time.)
    """

    def __init__(self, connection: Connection, caf_ids: Iterable[str]) -> None:
        self._rows: dict[tuple[str, str], _Consent] = {}
        table = caf_consents
        for chunk in in_lists(caf_ids):
            found = connection.execute(
                select(
                    table.c.caf_id,
                    table.c.consent_id,
                    table.c.purpose,
                    table.c.given_at,
                    table.c.withdrawn_at,
                    table.c.withdrawal_recorded_at,
                    table.c.record,
                )
                .where(table.c.caf_id.in_(chunk))
                .order_by(table.c.caf_id, table.c.consent_id)
                .with_for_update()
            )
            for row in found:
                values = {
                    "purpose": row.purpose,
                    "given_at": _aware(row.given_at),
                    "withdrawn_at": _aware(row.withdrawn_at),
                    "withdrawal_recorded_at": _aware(row.withdrawal_recorded_at),
                    "record": row.record,
                }
                self._rows[row.caf_id, row.consent_id] = _Consent(values, stored=True)

    def withdraw(self, caf_id: str, consent_id: str, withdrawn_at: datetime, at: datetime) -> None:
        """As :func:`record_withdrawal`: the earliest time wins; kept for a CAF that has not arrived."""
        held = self._rows.get((caf_id, consent_id))
        if held is None:
            values = {
                "purpose": "caf_sharing",
                "given_at": withdrawn_at,
                "withdrawn_at": withdrawn_at,
                "withdrawal_recorded_at": at,
                "record": {},
            }
            self._rows[caf_id, consent_id] = _Consent(values, stored=False, changed=True)
        elif held.deleted:
            held.deleted = False
            held.values.update(
                purpose="caf_sharing", given_at=withdrawn_at, withdrawn_at=withdrawn_at, withdrawal_recorded_at=at,
                record={},
            )  # fmt: skip
            held.changed = True
        elif held.values["withdrawn_at"] is None or withdrawn_at < held.values["withdrawn_at"]:
            held.values.update(withdrawn_at=withdrawn_at, withdrawal_recorded_at=at)
            held.changed = True

    def purge(self, caf_id: str) -> None:
        """The CAF was purged: its consents go, except that a withdrawn one keeps a withdrawal tombstone (ids and
        the withdrawal time, no content), so a copy of the CAF sent again cannot be shared against it."""
        for (held_caf, _), row in self._rows.items():
            if held_caf != caf_id or row.deleted:
                continue
            withdrawn = row.values["withdrawn_at"]
            if withdrawn is None:
                row.deleted = row.changed = True
            elif row.values["record"] or row.values["given_at"] != withdrawn:
                row.values.update(purpose="caf_sharing", given_at=withdrawn, record={})
                row.changed = True

    def write(self, caf_id: str, consent: Consent, at: datetime) -> None:
        """Store a consent as the CAF carries it, but never undo (or delay) a recorded withdrawal."""
        record = consent.model_dump(mode="json", exclude={"withdrawn_at"}, exclude_none=True)
        values: dict[str, Any] = {"purpose": consent.purpose, "given_at": consent.given_at, "record": record}
        held = self._rows.get((caf_id, consent.consent_id))
        if held is not None and held.deleted:  # purged earlier in the batch, sent again after the purge
            held.deleted = False
            held.values.update(withdrawn_at=None, withdrawal_recorded_at=None)
        if held is None:
            withdrawn = consent.withdrawn_at
            values.update(withdrawn_at=withdrawn, withdrawal_recorded_at=at if withdrawn is not None else None)
            self._rows[caf_id, consent.consent_id] = _Consent(values, stored=False, changed=True)
            return
        withdrawn = _earliest(held.values["withdrawn_at"], consent.withdrawn_at)
        if withdrawn != held.values["withdrawn_at"]:
            values.update(withdrawn_at=withdrawn, withdrawal_recorded_at=at)
        held.values.update(values)
        held.changed = True

    def flush(self, connection: Connection) -> None:
        """One multi-row insert of the new rows and one executemany update of the changed ones."""
        changed = sorted(((key, row) for key, row in self._rows.items() if row.changed), key=lambda item: item[0])
        gone = [key for key, row in changed if row.deleted and row.stored]
        changed = [(key, row) for key, row in changed if not row.deleted]
        inserts = [{"caf_id": k[0], "consent_id": k[1], **row.values} for k, row in changed if not row.stored]
        updates = [{"b_caf_id": k[0], "b_consent_id": k[1], **row.values} for k, row in changed if row.stored]
        for caf_id, consent_id in gone:
            key_ = (caf_consents.c.caf_id == caf_id, caf_consents.c.consent_id == consent_id)
            connection.execute(delete(caf_consents).where(*key_))
        if inserts:
            connection.execute(insert(caf_consents), inserts)
        if updates:
            key = (
                caf_consents.c.caf_id == bindparam("b_caf_id"),
                caf_consents.c.consent_id == bindparam("b_consent_id"),
            )
            columns = {name: bindparam(name, type_=caf_consents.c[name].type) for name in _CONSENT_COLUMNS}
            connection.execute(update(caf_consents).where(*key).values(columns), updates)


_CONSENT_COLUMNS = ("purpose", "given_at", "withdrawn_at", "withdrawal_recorded_at", "record")
_CAF_COLUMNS = (
    "child_id",
    "la_code",
    "status",
    "assessor_org_code",
    "lead_professional_id",
    "review_date",
    "form",
    "stored_at",
    "child_version",
)


def _too_long(update_: CafUpdate) -> str | None:
    caf = update_.assessment
    ids = [caf.caf_id, update_.child_id or "", *(consent.consent_id for consent in caf.consents)]
    if any(len(value) > _MAX_ID for value in ids):
        return "an id is longer than 128 characters"
    return None


def _caf_values(update_: CafUpdate, la_code: str, at: datetime, child_version: int | None) -> dict[str, Any]:
    caf: CafAssessment = update_.assessment
    assessor_org = caf.assessor.organisation.code if caf.assessor and caf.assessor.organisation else None
    lead_id = caf.lead_professional.practitioner_id if caf.lead_professional else None
    return {
        "child_id": update_.child_id,
        "la_code": la_code,
        "status": caf.status,
        "assessor_org_code": assessor_org if assessor_org and len(assessor_org) <= _MAX_ORG else None,
        "lead_professional_id": lead_id if lead_id and len(lead_id) <= _MAX_ID else None,
        "review_date": caf.review_date,
        "form": caf.model_dump(mode="json", exclude={"consents"}, exclude_none=True),
        "stored_at": at,
        "child_version": child_version,
    }


def _write_cafs(connection: Connection, forms: dict[tuple[str, int], dict[str, Any]]) -> None:
    """Every CAF version the batch applied: existing (caf_id, version) rows updated, the others inserted."""
    stored: set[tuple[str, int]] = set()
    for chunk in in_lists(caf_id for caf_id, _ in forms):
        found = connection.execute(
            select(caf_assessments.c.caf_id, caf_assessments.c.version).where(caf_assessments.c.caf_id.in_(chunk))
        )
        stored.update((caf_id, int(version)) for caf_id, version in found)
    ordered = sorted(forms.items())
    inserts = [{"caf_id": k[0], "version": k[1], **values} for k, values in ordered if k not in stored]
    updates = [{"b_caf_id": k[0], "b_version": k[1], **values} for k, values in ordered if k in stored]
    if inserts:
        connection.execute(insert(caf_assessments), inserts)
    if updates:
        key = (caf_assessments.c.caf_id == bindparam("b_caf_id"), caf_assessments.c.version == bindparam("b_version"))
        columns = {name: bindparam(name, type_=caf_assessments.c[name].type) for name in _CAF_COLUMNS}
        connection.execute(update(caf_assessments).where(*key).values(columns), updates)


class _ChildPurge:
    """A screened ``caf.child.purge`` (its subject is the child id; nothing in its payload)."""


_PURGE = _ChildPurge()

Parsed = CafUpdate | ConsentWithdrawal | _ChildPurge | ApplyResult


def _screen(event: Event) -> ApplyResult | None:
    """A rejection decided before the inbox is asked, or ``None``."""
    if event.kind not in _KINDS:
        return ApplyResult(event.event_id, "rejected", f"event kind {event.kind} is not for the CAF store")
    if contains_nul(event.payload) or contains_nul([event.event_id, event.subject, event.message_id]):
        return ApplyResult(event.event_id, "rejected", "the event contains a NUL character")
    return None


def _parse(event: Event) -> Parsed:
    """The payload of a screened event, or its rejection (decided without the database)."""
    if event.kind == "caf.child.purge":
        if event.payload:
            return ApplyResult(event.event_id, "rejected", "a purge carries no payload")
        if event.subject.startswith("caf:"):
            return ApplyResult(event.event_id, "rejected", "the event's subject is not a child id")
        return _PURGE
    parsed: CafUpdate | ConsentWithdrawal
    try:
        if event.kind == "caf.consent.withdrawn":
            parsed = ConsentWithdrawal.model_validate(event.payload)
        else:
            parsed = CafUpdate.model_validate(event.payload)
    except ValidationError as exc:
        return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
    caf_id = parsed.caf_id if isinstance(parsed, ConsentWithdrawal) else parsed.assessment.caf_id
    if caf_subject(caf_id) != event.subject:
        return ApplyResult(event.event_id, "rejected", "the event's subject is not the CAF's")
    if isinstance(parsed, ConsentWithdrawal):
        if len(parsed.caf_id) > _MAX_ID or len(parsed.consent_id) > _MAX_ID:
            return ApplyResult(event.event_id, "rejected", "an id is longer than 128 characters")
    elif (problem := _too_long(parsed)) is not None:
        return ApplyResult(event.event_id, "rejected", problem)
    return parsed


def _children(events: Sequence[Event], parsed: Sequence[Parsed]) -> tuple[set[str], set[str]]:
    """The children the batch's upserts are about and the children it purges."""
    about: set[str] = set()
    purged: set[str] = set()
    for event, item in zip(events, parsed, strict=True):
        if isinstance(item, CafUpdate) and item.child_id:
            about.add(item.child_id)
        elif isinstance(item, _ChildPurge):
            purged.add(event.subject)
    return about | purged, purged


def apply_caf_events(
    connection: Connection, events: Sequence[Event], at: datetime, *, audit: AuditLog | None = None
) -> list[ApplyResult]:
    """Apply ``events`` in ``connection``'s transaction, set-based (see :mod:`gateway.caf.consumer`); one
    result per event, in order, as if they were applied one at a time. ``audit`` records purges."""
    screened = [_screen(event) for event in events]
    parsed = [early or _parse(event) for event, early in zip(events, screened, strict=True)]
    children, purged = _children(events, parsed)
    if children:
        lock_children(connection, children)
    inbox = CAF_INBOX.open_batch(connection, [e for e, early in zip(events, screened, strict=True) if early is None])
    written = {item.assessment.caf_id for item in parsed if isinstance(item, CafUpdate)}
    purges = ChildPurges(connection, children, purged, written) if children else None
    caf_ids = {
        item.caf_id if isinstance(item, ConsentWithdrawal) else item.assessment.caf_id
        for item in parsed
        if isinstance(item, CafUpdate | ConsentWithdrawal)
    }
    consents = _Consents(connection, caf_ids | (purges.caf_ids if purges is not None else set()))
    forms: dict[tuple[str, int], dict[str, Any]] = {}
    results: list[ApplyResult] = []
    for event, early, item in zip(events, screened, parsed, strict=True):
        if early is not None:
            results.append(early)
        elif inbox.seen(event.event_id):
            results.append(ApplyResult(event.event_id, "duplicate"))
        elif isinstance(item, ApplyResult):
            results.append(item)
        elif isinstance(item, _ChildPurge):
            applied = purges.purge(event) if purges is not None else None
            if applied is not None:
                removed, emptied = applied
                for key in removed:
                    forms.pop(key, None)
                for caf_id in emptied:
                    consents.purge(caf_id)
            results.append(inbox.record(event, "applied" if applied is not None else "stale"))
        elif isinstance(item, ConsentWithdrawal):
            consents.withdraw(item.caf_id, item.consent_id, item.withdrawn_at, at)
            results.append(inbox.record(event, "applied"))
        elif inbox.is_stale(event) or (
            purges is not None and purges.is_purged(item.child_id, event.la_code, event.child_version)
        ):
            # Even a stale copy may carry a withdrawal the store has not seen: withdrawals always apply.
            for consent in item.assessment.consents:
                if consent.withdrawn_at is not None:
                    consents.withdraw(item.assessment.caf_id, consent.consent_id, consent.withdrawn_at, at)
            results.append(inbox.record(event, "stale"))
        else:
            caf = item.assessment
            forms[caf.caf_id, caf.version] = _caf_values(item, event.la_code, at, event.child_version)
            if purges is not None:
                purges.hold(caf.caf_id, caf.version, Held(item.child_id, event.la_code, event.child_version))
            for consent in caf.consents:
                consents.write(caf.caf_id, consent, at)
            inbox.advance(event.subject, event.version)
            results.append(inbox.record(event, "applied"))
    if purges is not None:
        purges.flush(connection, audit or AuditLog(), at)
    _write_cafs(connection, forms)
    consents.flush(connection)
    inbox.flush(connection)
    return results
