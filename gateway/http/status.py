"""A message's status as its submitter (or an operator) may see it: history, issues, lineage, deliveries.

Only the client that submitted a message sees it, or a request holding the ``operate`` scope; to anyone
else it does not exist (the same 404 as an unknown id). Every read is audited. Nothing returned is
content: issues are value-free, lineage is field pointers and places in the supplier's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select

from gateway.audit import AuditEntry, AuditLog
from gateway.http.tables import submission_states, submissions
from gateway.model import FieldSource, Issue
from gateway.routing.outbox import Outbox
from gateway.security import Principal
from gateway.storage import Database, MessageStore

__all__ = ["MessageStatus", "read_status"]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MessageStatus:
    """Everything ``GET /v1/messages/{id}`` answers."""

    message_id: str
    status: str
    """The message store's status: ``received``, ``accepted`` or ``rejected``."""
    state: str | None
    """The HTTP submission's state (``queued``, ``processing``, ``accepted``, ``rejected``, ``refused``,
    ``failed``), or ``None`` for a message that did not arrive over HTTP."""
    format_id: str | None
    format_version: str | None
    la_code: str
    received_at: datetime
    record_count: int
    error_count: int
    warning_count: int
    history: tuple[tuple[str, datetime], ...]
    issues: tuple[Issue, ...]
    deliveries: tuple[tuple[str, str, bool], ...]
    lineage: tuple[tuple[FieldSource, ...], ...] | None


def read_status(
    principal: Principal,
    message_id: str,
    *,
    database: Database,
    store: MessageStore,
    outbox: Outbox | None,
    audit: AuditLog,
    lineage: bool = False,
) -> MessageStatus | None:
    """The status, or ``None`` when the message is unknown or not the caller's to see.

    A submission is settled in one transaction that writes its state and the message's outcome, but the two
    are read in separate statements, so a settlement can commit between them. Read the message first and
    the state could be newer (``refused`` beside ``received``); read the state first and it could be older
    (``processing`` beside ``rejected``, which showed a refused submission as rejected). So the state is read
    first and, when the message turns out settled while the state is not, read again: it is then at least as
    new as the message. Who may see the message is settled before the message is read."""
    owner, state, history = _submission(database, message_id)
    if "operate" not in principal.scopes and (owner is None or owner != principal.client_id):
        _audit(database, audit, principal, message_id, "not-found")
        return None
    stored = store.get(message_id)
    if stored is None:
        _audit(database, audit, principal, message_id, "not-found")
        return None
    if state in _OPEN and stored.status in _SETTLED:  # settled between the two reads
        _, state, history = _submission(database, message_id)
    records: tuple[tuple[FieldSource, ...], ...] | None = None
    if lineage:
        canonical = store.canonical(message_id)
        records = tuple(tuple(record.lineage) for record in canonical.records) if canonical is not None else ()
    deliveries = (
        tuple((kind, key, sent) for kind, _exchange, key, sent in outbox.for_message(message_id)) if outbox else ()
    )
    if not history:
        history = ((stored.status, stored.envelope.received_at),)
    _audit(database, audit, principal, message_id, "ok")
    return MessageStatus(
        message_id=message_id,
        status=stored.status,
        state=_state(state, stored.status) if state is not None else None,
        format_id=stored.envelope.format_id,
        format_version=stored.envelope.format_version,
        la_code=stored.envelope.la_code,
        received_at=stored.envelope.received_at,
        record_count=stored.record_count,
        error_count=stored.error_count,
        warning_count=stored.warning_count,
        history=history,
        issues=stored.issues,
        deliveries=deliveries,
        lineage=records,
    )


_OPEN: Final = frozenset({"queued", "processing"})
_UNSETTLED: Final = _OPEN | {"failed"}
_SETTLED: Final = frozenset({"accepted", "rejected"})


def _submission(database: Database, message_id: str) -> tuple[str | None, str | None, tuple[tuple[str, datetime], ...]]:
    """The submission's client and state (``None`` for a message not submitted over HTTP) and its history."""
    with database.engine.connect() as conn:
        row = conn.execute(
            select(submissions.c.client_id, submissions.c.state).where(submissions.c.message_id == message_id)
        ).first()
        history = tuple(
            (name, _aware(at))
            for name, at in conn.execute(
                select(submission_states.c.state, submission_states.c.at)
                .where(submission_states.c.message_id == message_id)
                .order_by(submission_states.c.id)
            ).all()
        )
    return (row[0], row[1], history) if row is not None else (None, None, history)


def _state(submission: str, status: str) -> str:
    """The submission's state, or the message's outcome when the message was settled outside the submission's
    own processing (an operator's ``ecm-gateway replay`` of a ``failed`` one, or an intake retry): the
    submitter sees how its message ended, not the attempt that did not finish it."""
    if submission in _UNSETTLED and status in _SETTLED:
        return status
    return submission


def _audit(database: Database, audit: AuditLog, principal: Principal, message_id: str, outcome: str) -> None:
    entry = AuditEntry(
        actor_user=principal.actor or f"client:{principal.client_id}",
        actor_org=principal.client.supplier_id[:32],
        action="message.read",
        reason="status",
        outcome=outcome,
        subject=message_id,
        query={"client": principal.client_id},
        result_ids=(message_id,) if outcome == "ok" else (),
    )
    with database.engine.begin() as conn:
        audit.append(conn, entry)
