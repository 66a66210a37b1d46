"""Applying routed events to the CAF store: ``caf.assessment.upsert`` and ``caf.consent.withdrawn``.

Withdrawals are *sticky*: a consent's recorded withdrawal time only ever moves earlier. An upsert that
still shows the consent as active (a replayed old message, or a copy that crossed the withdrawal in
flight) cannot make it active again, and a withdrawal is applied whatever its version — it is never
"stale". A withdrawal that arrives before the CAF itself is kept and applied when the CAF arrives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select, update

from gateway.consent import CafUpdate, ConsentWithdrawal, caf_subject
from gateway.events import Event
from gateway.inbox import ApplyResult, Inbox, contains_nul, invalid_payload_reason
from gateway.model import CafAssessment, Consent
from gateway.storage.tables import caf_assessments, caf_consents, caf_inbox, caf_versions

__all__ = ["CAF_INBOX", "apply_caf_event", "record_withdrawal"]

CAF_INBOX = Inbox(caf_inbox, caf_versions)

_KINDS = frozenset({"caf.assessment.upsert", "caf.consent.withdrawn"})
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
    connection.execute(update(caf_consents).where(*key).values(withdrawn_at=withdrawn_at, withdrawal_recorded_at=at))
    return True


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _write_consent(connection: Connection, caf_id: str, consent: Consent, at: datetime) -> None:
    key = (caf_consents.c.caf_id == caf_id, caf_consents.c.consent_id == consent.consent_id)
    row = connection.execute(select(caf_consents.c.withdrawn_at).where(*key)).first()
    record = consent.model_dump(mode="json", exclude={"withdrawn_at"}, exclude_none=True)
    values: dict[str, Any] = {"purpose": consent.purpose, "given_at": consent.given_at, "record": record}
    if row is None:
        connection.execute(
            insert(caf_consents).values(
                caf_id=caf_id,
                consent_id=consent.consent_id,
                withdrawn_at=consent.withdrawn_at,
                withdrawal_recorded_at=at if consent.withdrawn_at is not None else None,
                **values,
            )
        )
        return
    held = _aware(row.withdrawn_at)
    withdrawn = _earliest(held, consent.withdrawn_at)
    if withdrawn != held:
        values.update(withdrawn_at=withdrawn, withdrawal_recorded_at=at)
    connection.execute(update(caf_consents).where(*key).values(**values))


def _too_long(update_: CafUpdate) -> str | None:
    caf = update_.assessment
    ids = [caf.caf_id, update_.child_id or "", *(consent.consent_id for consent in caf.consents)]
    if any(len(value) > _MAX_ID for value in ids):
        return "an id is longer than 128 characters"
    return None


def _write_caf(connection: Connection, update_: CafUpdate, la_code: str, at: datetime) -> None:
    caf: CafAssessment = update_.assessment
    assessor_org = caf.assessor.organisation.code if caf.assessor and caf.assessor.organisation else None
    lead_id = caf.lead_professional.practitioner_id if caf.lead_professional else None
    values = {
        "child_id": update_.child_id,
        "la_code": la_code,
        "status": caf.status,
        "assessor_org_code": assessor_org if assessor_org and len(assessor_org) <= _MAX_ORG else None,
        "lead_professional_id": lead_id if lead_id and len(lead_id) <= _MAX_ID else None,
        "review_date": caf.review_date,
        "form": caf.model_dump(mode="json", exclude={"consents"}, exclude_none=True),
        "stored_at": at,
    }
    key = (caf_assessments.c.caf_id == caf.caf_id, caf_assessments.c.version == caf.version)
    if connection.execute(select(caf_assessments.c.caf_id).where(*key)).first() is None:
        connection.execute(insert(caf_assessments).values(caf_id=caf.caf_id, version=caf.version, **values))
    else:
        connection.execute(update(caf_assessments).where(*key).values(**values))
    for consent in caf.consents:
        _write_consent(connection, caf.caf_id, consent, at)


def apply_caf_event(connection: Connection, event: Event, at: datetime) -> ApplyResult:
    """Apply one event in ``connection``'s transaction."""
    if event.kind not in _KINDS:
        return ApplyResult(event.event_id, "rejected", f"event kind {event.kind} is not for the CAF store")
    if contains_nul(event.payload) or contains_nul([event.event_id, event.subject, event.message_id]):
        return ApplyResult(event.event_id, "rejected", "the event contains a NUL character")
    if CAF_INBOX.seen(connection, event.event_id):
        return ApplyResult(event.event_id, "duplicate")
    if event.kind == "caf.consent.withdrawn":
        try:
            withdrawal = ConsentWithdrawal.model_validate(event.payload)
        except ValidationError as exc:
            return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
        if caf_subject(withdrawal.caf_id) != event.subject:
            return ApplyResult(event.event_id, "rejected", "the event's subject is not the CAF's")
        if len(withdrawal.caf_id) > _MAX_ID or len(withdrawal.consent_id) > _MAX_ID:
            return ApplyResult(event.event_id, "rejected", "an id is longer than 128 characters")
        record_withdrawal(connection, withdrawal.caf_id, withdrawal.consent_id, withdrawal.withdrawn_at, at)
        return CAF_INBOX.record(connection, event, "applied")
    try:
        update_ = CafUpdate.model_validate(event.payload)
    except ValidationError as exc:
        return ApplyResult(event.event_id, "rejected", invalid_payload_reason(exc))
    if caf_subject(update_.assessment.caf_id) != event.subject:
        return ApplyResult(event.event_id, "rejected", "the event's subject is not the CAF's")
    if (problem := _too_long(update_)) is not None:
        return ApplyResult(event.event_id, "rejected", problem)
    if CAF_INBOX.is_stale(connection, event):
        # Even a stale copy may carry a withdrawal the store has not seen: withdrawals always apply.
        for consent in update_.assessment.consents:
            if consent.withdrawn_at is not None:
                record_withdrawal(connection, update_.assessment.caf_id, consent.consent_id, consent.withdrawn_at, at)
        return CAF_INBOX.record(connection, event, "stale")
    _write_caf(connection, update_, event.la_code, at)
    CAF_INBOX.advance(connection, event.subject, event.version)
    return CAF_INBOX.record(connection, event, "applied")
