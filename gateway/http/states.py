"""An HTTP submission's state, moved only where the database decides: open, start, settle.

A submission is *open* while ``queued`` or ``processing`` (:data:`OPEN_STATES`); it is *settled* when its
outcome (``accepted``, ``rejected``, ``refused``) or ``failed`` is recorded. Every move writes a row of the
status history. :func:`settle` runs in the transaction that records the outcome and moves the row only if it
is still open, so when two workers finish the same message (a slow one and a resumption, or a resend) the
second finds nothing to move, raises :class:`Superseded` and its whole transaction — outcome, outgoing
events, audit entry — rolls back: each message is recorded, routed and audited once. On PostgreSQL the
second ``UPDATE`` waits for the first's row lock and then sees the settled row; SQLite has one writer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Connection, Engine, insert, select, update

from gateway.errors import GatewayError
from gateway.http.tables import submission_states, submissions

__all__ = ["OPEN_STATES", "Superseded", "open_submission", "settle", "start_processing"]

OPEN_STATES: Final = ("queued", "processing")
"""States whose outcome is not recorded yet; only from these may a submission be settled."""


class Superseded(GatewayError):
    """Another worker settled this submission first (the caller's transaction must roll back)."""


def _now() -> datetime:
    return datetime.now(UTC)


def open_submission(engine: Engine, client_id: str, message_id: str, *, asynchronous: bool, state: str) -> None:
    """Record the submission (with ``received``) or, when known, move it to ``state`` (a resend)."""
    now = _now()
    with engine.begin() as conn:
        exists = conn.execute(
            select(submissions.c.message_id).where(submissions.c.message_id == message_id)
        ).scalar_one_or_none()
        if exists is None:
            conn.execute(
                insert(submissions).values(
                    message_id=message_id,
                    client_id=client_id,
                    asynchronous=asynchronous,
                    state=state,
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(insert(submission_states).values(message_id=message_id, state="received", at=now))
        else:
            conn.execute(
                update(submissions).where(submissions.c.message_id == message_id).values(state=state, updated_at=now)
            )
        conn.execute(insert(submission_states).values(message_id=message_id, state=state, at=now))


def start_processing(engine: Engine, message_id: str) -> bool:
    """``queued`` -> ``processing``; False when it is no longer queued (a resumption or a resend took it)."""
    now = _now()
    with engine.begin() as conn:
        moved = conn.execute(
            update(submissions)
            .where(submissions.c.message_id == message_id, submissions.c.state == "queued")
            .values(state="processing", updated_at=now)
        ).rowcount
        if moved:
            conn.execute(insert(submission_states).values(message_id=message_id, state="processing", at=now))
    return bool(moved)


def settle(conn: Connection, message_id: str, state: str) -> None:
    """Move an open submission to ``state`` in the caller's transaction (:class:`Superseded` if not open)."""
    now = _now()
    moved = conn.execute(
        update(submissions)
        .where(submissions.c.message_id == message_id, submissions.c.state.in_(OPEN_STATES))
        .values(state=state, updated_at=now)
    ).rowcount
    if not moved:
        raise Superseded(message_id)
    conn.execute(insert(submission_states).values(message_id=message_id, state=state, at=now))
