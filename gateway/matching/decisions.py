"""The decisions people take on possible duplicates, kept as an append-only log and in the audit log.

See :mod:`gateway.matching.review` for the life cycle. Each decision is one transaction: the state change
(links, reviews, remembered pairs), one new ``match_decisions`` row and one hash-chained audit entry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.storage.database import Database
from gateway.storage.tables import match_decisions, match_identities, match_non_matches, match_reviews

__all__ = [
    "Decision",
    "DecisionLog",
    "MoveHook",
    "ReleaseHook",
    "ReleasedEvent",
    "ReviewStateError",
    "aware",
    "new_child_id",
]

log = logging.getLogger(__name__)

Action = Literal["same", "not-same", "unmerge", "reopen"]


class ReviewStateError(ValueError):
    """The decision does not fit the current state (already decided, unknown id, nothing to unmerge ...)."""


@dataclass(frozen=True, slots=True)
class ReleasedEvent:
    """An outgoing event a :class:`ReleaseHook` wrote for a released record: its event id and kind."""

    event_id: str
    kind: str


@dataclass(frozen=True)
class Decision:
    """One row of the append-only decision log."""

    decision_id: int
    action: str
    record_id: str
    other_id: str | None
    review_id: int | None
    child_id_before: str | None
    child_id_after: str | None
    reverses: int | None
    decided_by: str
    reason: str
    decided_at: datetime
    released: tuple[ReleasedEvent, ...] = ()
    """The events the held record released by this decision sent, as :meth:`DecisionLog.decide` returns it
    (exactly those written in its transaction). Not kept in the log: empty on a decision read back."""


class MoveHook(Protocol):
    """Called in a decision's transaction when a linked record leaves a child (unmerge, re-link, or a reopened
    review), so the directory can stop showing it there: ``to_child`` is where it goes (``None`` while it
    awaits review again). ``la_code`` is the record's council ("000" when it names none)."""

    def __call__(
        self, connection: Connection, record_id: str, from_child: str, to_child: str | None, *, la_code: str,
        decision_id: int,
    ) -> None: ...  # fmt: skip


class ReleaseHook(Protocol):
    """Called in a decision's transaction when a record held in an accepted message is linked to a child, so
    that what the message says about the child can be sent on at last (``gateway.routing.release``). Returns
    the events it wrote (none when there was nothing left to release)."""

    def __call__(
        self, connection: Connection, message_id: str, position: int, child_id: str
    ) -> Sequence[ReleasedEvent]: ...


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def new_child_id() -> str:
    """A new gateway child id."""
    return f"child-{uuid.uuid4()}"


class DecisionLog:
    """Decisions on the review queue (a base of :class:`~gateway.matching.review.ReviewQueue`)."""

    _db: Database
    _audit: AuditLog
    _release: ReleaseHook | None = None
    _moved: MoveHook | None = None

    @property
    def audit(self) -> AuditLog:
        """The audit log decisions are written to."""
        return self._audit

    def decisions(self, record_id: str | None = None) -> list[Decision]:
        """The decision log (about one record, as record or other side, when given), oldest first."""
        query = select(match_decisions).order_by(match_decisions.c.decision_id)
        if record_id is not None:
            query = query.where(or_(match_decisions.c.record_id == record_id, match_decisions.c.other_id == record_id))
        with self._db.engine.connect() as conn:
            return [
                Decision(**{**row, "decided_at": aware(row["decided_at"])}) for row in conn.execute(query).mappings()
            ]

    def remembered_not_same(self, first: str, second: str) -> bool:
        """True when a person decided these two records are not the same child (and it was not reversed)."""
        a, b = sorted((first, second))
        with self._db.engine.connect() as conn:
            return (
                conn.execute(
                    select(match_non_matches.c.decision_id).where(
                        and_(match_non_matches.c.record_a == a, match_non_matches.c.record_b == b)
                    )
                ).first()
                is not None
            )

    def _record_decision(
        self,
        conn: Connection,
        by: Caller,
        reason: str,
        action: Action,
        record_id: str,
        *,
        other_id: str | None = None,
        review_id: int | None = None,
        before: str | None = None,
        after: str | None = None,
        reverses: int | None = None,
    ) -> int:
        now = datetime.now(UTC)
        decision_id = int(
            conn.execute(
                insert(match_decisions)
                .values(
                    action=action,
                    record_id=record_id,
                    other_id=other_id,
                    review_id=review_id,
                    child_id_before=before,
                    child_id_after=after,
                    reverses=reverses,
                    decided_by=by.user_id,
                    reason=reason,
                    decided_at=now,
                )
                .returning(match_decisions.c.decision_id)
            ).scalar_one()
        )
        self._audit.append(
            conn,
            AuditEntry.by(
                by,
                f"match.{action}",
                reason,
                "done",
                subject=record_id,
                query={"decision_id": decision_id, "review_id": review_id, "reverses": reverses},
                result_ids=[x for x in (other_id, after) if x],
            ),
            at=now,
        )
        log.info("match decision recorded", extra={"outcome": action})
        return decision_id

    def _remember(self, conn: Connection, first: str, second: str, decision_id: int) -> None:
        a, b = sorted((first, second))
        conn.execute(
            delete(match_non_matches).where(and_(match_non_matches.c.record_a == a, match_non_matches.c.record_b == b))
        )
        conn.execute(insert(match_non_matches).values(record_a=a, record_b=b, decision_id=decision_id))

    def _set_child(self, conn: Connection, record_id: str, child_id: str | None, status: str) -> None:
        conn.execute(
            update(match_identities)
            .where(match_identities.c.record_id == record_id)
            .values(child_id=child_id, status=status, updated_at=datetime.now(UTC))
        )

    def _release_held(self, conn: Connection, record_id: str, child_id: str) -> tuple[ReleasedEvent, ...]:
        """A held record has just been linked: release it from its message (once) through the hook; the
        events the hook wrote."""
        row = conn.execute(
            select(match_identities.c.held_message_id, match_identities.c.held_position).where(
                match_identities.c.record_id == record_id
            )
        ).first()
        if row is None or row.held_message_id is None or row.held_position is None or self._release is None:
            return ()
        released = tuple(self._release(conn, row.held_message_id, row.held_position, child_id))
        conn.execute(
            update(match_identities)
            .where(match_identities.c.record_id == record_id)
            .values(held_message_id=None, held_position=None)
        )
        return released

    def _recall(self, conn: Connection, record_id: str, before: str | None, after: str | None, decision: int) -> None:
        """The record left child ``before``: tell the directory (through the hook) in this transaction."""
        if before is None or before == after or self._moved is None:
            return
        identity = conn.execute(
            select(match_identities.c.identity).where(match_identities.c.record_id == record_id)
        ).scalar_one_or_none()
        locals_ = identity.get("local_ids", []) if isinstance(identity, dict) else []
        la_code = next((str(local).split(":", 1)[0] for local in locals_ if ":" in str(local)), "000")
        self._moved(conn, record_id, before, after, la_code=la_code, decision_id=decision)

    def _review_row(self, conn: Connection, review_id: int) -> Any:
        row = conn.execute(select(match_reviews).where(match_reviews.c.review_id == review_id)).mappings().first()
        if row is None:
            raise ReviewStateError("no such review")
        return row

    def _child_and_status(self, conn: Connection, record_id: str) -> tuple[str | None, str]:
        row = conn.execute(
            select(match_identities.c.child_id, match_identities.c.status).where(
                match_identities.c.record_id == record_id
            )
        ).first()
        if row is None:
            raise ReviewStateError("no such record")
        return row.child_id, row.status

    def _close(self, conn: Connection, review_id: int, status: str) -> None:
        conn.execute(
            update(match_reviews)
            .where(match_reviews.c.review_id == review_id)
            .values(status=status, closed_at=datetime.now(UTC))
        )

    def _open_reviews_of(self, conn: Connection, record_id: str) -> list[int]:
        rows = conn.execute(
            select(match_reviews.c.review_id).where(
                and_(match_reviews.c.record_id == record_id, match_reviews.c.status == "open")
            )
        )
        return [row.review_id for row in rows]

    def decide(self, review_id: int, *, same: bool, by: Caller, reason: str) -> Decision:
        """A person's decision on an open review: the same child (merge) or not (remember the pair). The
        decision returned names the events its held record's release wrote (:attr:`Decision.released`)."""
        released: tuple[ReleasedEvent, ...] = ()
        with self._db.engine.begin() as conn:
            review = self._review_row(conn, review_id)
            if review["status"] != "open":
                raise ReviewStateError("this review has already been decided")
            record_id, candidate_id = review["record_id"], review["candidate_id"]
            before, _ = self._child_and_status(conn, record_id)
            if same:
                child_id, _ = self._child_and_status(conn, candidate_id)
                if child_id is None:
                    raise ReviewStateError("the candidate record is itself awaiting review: decide that one first")
                self._set_child(conn, record_id, child_id, "linked")
                released = self._release_held(conn, record_id, child_id)
                self._close(conn, review_id, "same")
                for other in self._open_reviews_of(conn, record_id):
                    self._close(conn, other, "superseded")
                decision_id = self._record_decision(
                    conn, by, reason, "same", record_id, other_id=candidate_id, review_id=review_id,
                    before=before, after=child_id,
                )  # fmt: skip
                self._recall(conn, record_id, before, child_id, decision_id)
            else:
                self._close(conn, review_id, "not-same")
                after = before
                if not self._open_reviews_of(conn, record_id) and before is None:
                    after = new_child_id()
                    self._set_child(conn, record_id, after, "linked")
                    released = self._release_held(conn, record_id, after)
                decision_id = self._record_decision(
                    conn, by, reason, "not-same", record_id, other_id=candidate_id, review_id=review_id,
                    before=before, after=after,
                )  # fmt: skip
                self._remember(conn, record_id, candidate_id, decision_id)
        return replace(self._decision(decision_id), released=released)

    def unmerge(self, record_id: str, *, by: Caller, reason: str, reverses: int | None = None) -> Decision:
        """Take a linked record out of its child into a new one; remember it is not the others' child."""
        with self._db.engine.begin() as conn:
            decision_id = self._unmerge(conn, record_id, by, reason, reverses)
        return self._decision(decision_id)

    def _unmerge(self, conn: Connection, record_id: str, by: Caller, reason: str, reverses: int | None) -> int:
        child_id, _ = self._child_and_status(conn, record_id)
        others = [] if child_id is None else [
            row.record_id
            for row in conn.execute(
                select(match_identities.c.record_id).where(
                    and_(match_identities.c.child_id == child_id, match_identities.c.record_id != record_id)
                )
            )
        ]  # fmt: skip
        if not others:
            raise ReviewStateError("this record is not merged with another record")
        after = new_child_id()
        self._set_child(conn, record_id, after, "linked")
        decision_id = self._record_decision(
            conn, by, reason, "unmerge", record_id, other_id=others[0], before=child_id, after=after, reverses=reverses
        )
        self._recall(conn, record_id, child_id, after, decision_id)
        for other in others:
            self._remember(conn, record_id, other, decision_id)
        return decision_id

    def reverse(self, decision_id: int, *, by: Caller, reason: str) -> Decision:
        """Undo a decision: ``same`` -> unmerge; ``not-same`` -> forget the pair and reopen the review;
        ``unmerge`` -> link back to the earlier child."""
        with self._db.engine.begin() as conn:
            row = (
                conn.execute(select(match_decisions).where(match_decisions.c.decision_id == decision_id))
                .mappings()
                .first()
            )
            if row is None:
                raise ReviewStateError("no such decision")
            reversed_already = conn.execute(
                select(match_decisions.c.decision_id).where(match_decisions.c.reverses == decision_id)
            ).first()
            if reversed_already is not None:
                raise ReviewStateError("this decision has already been reversed")
            record_id = row["record_id"]
            if row["action"] == "same":
                new_id = self._unmerge(conn, record_id, by, reason, decision_id)
            elif row["action"] in ("not-same", "unmerge"):
                conn.execute(delete(match_non_matches).where(match_non_matches.c.decision_id == decision_id))
                current, _ = self._child_and_status(conn, record_id)
                if row["action"] == "unmerge":
                    after, status = row["child_id_before"], "linked"
                elif row["review_id"] is not None:
                    conn.execute(
                        update(match_reviews)
                        .where(match_reviews.c.review_id == row["review_id"])
                        .values(status="open", closed_at=None)
                    )
                    alone = current is not None and current == row["child_id_after"] != row["child_id_before"]
                    after, status = (None, "pending") if alone else (current, "linked" if current else "pending")
                else:
                    after, status = current, "linked"
                self._set_child(conn, record_id, after, status)
                action: Action = "same" if row["action"] == "unmerge" else "reopen"
                new_id = self._record_decision(
                    conn, by, reason, action, record_id, other_id=row["other_id"], review_id=row["review_id"],
                    before=current, after=after, reverses=decision_id,
                )  # fmt: skip
                self._recall(conn, record_id, current, after, new_id)
            else:
                raise ReviewStateError("this decision cannot be reversed")
        return self._decision(new_id)

    def _decision(self, decision_id: int) -> Decision:
        with self._db.engine.connect() as conn:
            row = (
                conn.execute(select(match_decisions).where(match_decisions.c.decision_id == decision_id))
                .mappings()
                .one()
            )
        return Decision(**{**row, "decided_at": aware(row["decided_at"])})
