"""Identity resolution against the directory, and the review queue of possible duplicates.

Life cycle of an incoming record (:meth:`ReviewQueue.resolve`):

* ``certain`` match with a linked record -> **linked** to that child (one child only; ``certain`` matches
  with two different children go to review instead);
* any ``probable`` or ``possible`` match -> **review**: the record is kept *pending* with no child id — no
  new child is created until a person decides — and one open review per candidate is queued;
* no match -> **new**: a new gateway child id;
* a record id seen before (an update) keeps its link and, when it changed, is matched again, but pairs
  already reviewed (either way round) or remembered as different children are never queued again
  (**known**, or **review** for new pairs).

:meth:`ReviewQueue.resolve_many` resolves the records of a message together, in order, with bulk reads and
as few transactions as the lock budget allows (:mod:`gateway.matching.batch`). Resolves are serialised per
blocking key (:mod:`gateway.matching.locks`), so two messages about the same new child arriving at once
create one child, not two. :meth:`ReviewQueue.preview_many` answers the same question without writing
anything (the conformance check and dry runs ask it).

A pending record can name where it is *held* (``held_in``: the accepted message and its position): when a
person's decision links it to a child, the queue's ``release`` hook (:class:`ReleaseHook`) is called in the
decision's transaction, so the routing layer can send the held record to the directory at last. When a
decision takes a linked record *out* of a child (unmerge, linking back, a reopened review), the ``moved``
hook (:class:`MoveHook`) is called the same way, so the directory stops showing the records together.

Decisions (:meth:`ReviewQueue.decide`, :meth:`ReviewQueue.unmerge`, :meth:`ReviewQueue.reverse`):

* ``same`` — merge: the record joins the candidate's child; its other open reviews are superseded;
* ``not-same`` — the pair is remembered and never asked again; when no open review is left, the record
  becomes a new child;
* ``unmerge`` — a linked record leaves its child for a new one; the pairs are remembered as not the same;
* every decision can be reversed (a ``same`` by an unmerge, a ``not-same`` by reopening its review, an
  ``unmerge`` by linking back).

Every decision is appended to ``match_decisions`` (who, when, why; never updated or deleted) *and* to the
gateway's hash-chained audit log (:mod:`gateway.audit`) in the same transaction. Reasons and explanations
are stored for the people deciding and are never logged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Self

from sqlalchemy import Connection, select

from gateway.audit import AuditLog
from gateway.matching.batch import Outcome, Resolution, ResolutionBatch, insert_review
from gateway.matching.blocking import index_keys, query_keys
from gateway.matching.comparisons import Comparison
from gateway.matching.decisions import (
    Decision,
    DecisionLog,
    MoveHook,
    ReleaseHook,
    ReviewStateError,
    aware,
    new_child_id,
)
from gateway.matching.explanation import FieldExplanation, explain, render
from gateway.matching.features import PreparedRecord
from gateway.matching.locks import lock_for_resolution
from gateway.matching.matcher import Matcher
from gateway.matching.purge import forget
from gateway.matching.record import IdentityRecord
from gateway.matching.store import SqlIndex
from gateway.storage.database import Database
from gateway.storage.tables import match_identities, match_reviews

__all__ = [
    "MAX_LOCKS",
    "MAX_RECORDS",
    "Decision",
    "Outcome",
    "ReleaseHook",
    "Resolution",
    "Review",
    "ReviewQueue",
    "ReviewStateError",
    "ReviewSummary",
]

log = logging.getLogger(__name__)

MAX_LOCKS: Final = 256
"""PostgreSQL: advisory locks one resolve transaction may hold (the server's lock table is shared by every
session: 64 per connection by default). A message needing more is resolved in several transactions."""
MAX_RECORDS: Final = 500
"""Records resolved in one transaction at most."""


def _lock_keys(record: PreparedRecord) -> set[str]:
    """What a resolve locks: the record's id and every blocking key it is stored under or looks up."""
    return {record.record_id, *index_keys(record), *query_keys(record)}


@dataclass(frozen=True)
class ReviewSummary:
    """A review in the queue: ids, grade and state only (no personal data)."""

    review_id: int
    record_id: str
    candidate_id: str
    grade: str
    weight: float
    rule: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Self:
        """The summary of one ``match_reviews`` row (a mapping)."""
        return cls(**_summary_fields(row))


def _summary_fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "review_id": row["review_id"],
        "record_id": row["record_id"],
        "candidate_id": row["candidate_id"],
        "grade": row["grade"],
        "weight": row["weight"],
        "rule": row["rule"],
        "status": row["status"],
        "created_at": aware(row["created_at"]) or datetime.now(UTC),
        "closed_at": aware(row["closed_at"]),
    }


@dataclass(frozen=True)
class Review(ReviewSummary):
    """A queued possible duplicate, with its explanation for the person deciding."""

    explanation: tuple[FieldExplanation, ...] = ()

    def explanation_text(self) -> str:
        return render(self.explanation)


class ReviewQueue(DecisionLog):
    """Resolves incoming records against the directory's match index and keeps the review queue."""

    def __init__(
        self,
        database: Database,
        matcher: Matcher | None = None,
        *,
        audit: AuditLog | None = None,
        release: ReleaseHook | None = None,
        moved: MoveHook | None = None,
    ) -> None:
        self._db = database
        self.index = SqlIndex(database)
        self.matcher = matcher or Matcher(self.index)
        self._audit = audit or AuditLog()
        self._release = release
        self._moved = moved

    # --- resolution ---------------------------------------------------------------------------------------

    def resolve(self, record: IdentityRecord, *, held_in: tuple[str, int] | None = None) -> Resolution:
        """Match ``record`` against every record seen so far and link, queue or create (see module doc).

        ``held_in`` (message id, position) is remembered while the record waits for a person, so that it can
        be released from that message when they decide.
        """
        return self.resolve_many([record], held_in=[held_in])[0]

    def resolve_many(
        self, records: Sequence[IdentityRecord], *, held_in: Sequence[tuple[str, int] | None] | None = None
    ) -> list[Resolution]:
        """Resolve ``records`` in order, as if one after another (a later one meets the earlier ones), in as few
        transactions as the lock budget allows (:class:`~gateway.matching.batch.ResolutionBatch`)."""
        holds = list(held_in) if held_in is not None else [None] * len(records)
        prepared = [self.matcher.prepare(record) for record in records]
        resolutions: list[Resolution] = []
        for start, end in self._chunks(prepared):
            now = datetime.now(UTC)
            with self._db.engine.begin() as conn:
                chunk = prepared[start:end]
                lock_for_resolution(conn, (key for record in chunk for key in _lock_keys(record)))
                batch = ResolutionBatch(
                    conn, self.index, self.matcher, chunk, write=True, now=now, queue_review=insert_review
                )
                resolutions.extend(batch.resolve(record, holds[start + i]) for i, record in enumerate(chunk))
                batch.flush()
        outcomes = Counter(resolution.outcome for resolution in resolutions)
        summary = " ".join(f"{outcome}:{count}" for outcome, count in sorted(outcomes.items()))
        log.info("records resolved", extra={"records": len(resolutions), "outcome": summary})
        return resolutions

    def preview(self, record: IdentityRecord) -> Resolution:
        """What :meth:`resolve` would do now, writing nothing (a new child's ``child_id`` is ``None``)."""
        return self.preview_many([record])[0]

    def preview_many(self, records: Sequence[IdentityRecord]) -> list[Resolution]:
        """What :meth:`resolve_many` would do now, writing nothing."""
        prepared = [self.matcher.prepare(record) for record in records]
        with self._db.engine.connect() as conn:
            batch = ResolutionBatch(
                conn, self.index, self.matcher, prepared, write=False, now=datetime.now(UTC), queue_review=insert_review
            )
            return [batch.resolve(record) for record in prepared]

    def _chunks(self, prepared: Sequence[PreparedRecord]) -> list[tuple[int, int]]:
        """Slices of ``prepared`` resolved in one transaction each: on PostgreSQL, as many records as hold at
        most :data:`MAX_LOCKS` advisory locks (the server's lock table is shared); on SQLite, up to
        :data:`MAX_RECORDS` (one writer at a time whatever the keys)."""
        limit = MAX_LOCKS if self._db.dialect == "postgresql" else None
        spans: list[tuple[int, int]] = []
        start, locks = 0, 0
        for position, record in enumerate(prepared):
            count = len(_lock_keys(record))
            full = position - start >= MAX_RECORDS or (limit is not None and locks + count > limit)
            if position > start and full:
                spans.append((start, position))
                start, locks = position, 0
            locks += count
        if start < len(prepared):
            spans.append((start, len(prepared)))
        return spans

    def forget(self, child_ids: Collection[str], record_ids: Collection[str] = ()) -> list[str]:
        """Purge children (every record linked to them) and records from the index; audited. A purged child is
        never matched again (:mod:`gateway.matching.purge`). A record that was awaiting review only against
        purged records has nobody left to be compared with: it becomes a new child and is released."""
        with self._db.engine.begin() as conn:
            forgotten, orphaned = forget(conn, self._audit, child_ids=child_ids, record_ids=record_ids)
            for record_id in orphaned:
                child_id = new_child_id()
                self._set_child(conn, record_id, child_id, "linked")
                self._release_held(conn, record_id, child_id)
        return forgotten

    # --- reading ------------------------------------------------------------------------------------------

    def _identity(self, conn: Connection, record_id: str) -> Any:
        columns = match_identities.c
        return conn.execute(
            select(
                columns.record_id, columns.child_id, columns.status, columns.identity, columns.held_message_id
            ).where(columns.record_id == record_id)
        ).first()

    def _children(self, conn: Connection, record_ids: Sequence[str]) -> dict[str, str | None]:
        if not record_ids:
            return {}
        rows = conn.execute(
            select(match_identities.c.record_id, match_identities.c.child_id).where(
                match_identities.c.record_id.in_(list(record_ids))
            )
        )
        return {row.record_id: row.child_id for row in rows}

    def child_ids(self, record_ids: Sequence[str]) -> dict[str, str | None]:
        """The child id each of ``record_ids`` is linked to (``None`` while pending); unknown ids are left out."""
        with self._db.engine.connect() as conn:
            return self._children(conn, record_ids)

    def child_of(self, record_id: str) -> str | None:
        """The child id a record is linked to (``None`` while pending or unknown)."""
        with self._db.engine.connect() as conn:
            row = self._identity(conn, record_id)
        return row.child_id if row else None

    def status_of(self, record_id: str) -> str | None:
        """``linked`` or ``pending`` (``None`` for an unknown record)."""
        with self._db.engine.connect() as conn:
            row = self._identity(conn, record_id)
        return row.status if row else None

    def records_of(self, child_id: str) -> list[str]:
        """The records linked to one child."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(match_identities.c.record_id)
                .where(match_identities.c.child_id == child_id)
                .order_by(match_identities.c.record_id)
            )
            return [row.record_id for row in rows]

    def reviews(self, *, status: str | None = "open", record_id: str | None = None, limit: int = 100) -> list[Review]:
        """Reviews (open ones by default), oldest first."""
        query = select(match_reviews).order_by(match_reviews.c.review_id).limit(limit)
        if status is not None:
            query = query.where(match_reviews.c.status == status)
        if record_id is not None:
            query = query.where(match_reviews.c.record_id == record_id)
        with self._db.engine.connect() as conn:
            return [self._review(row) for row in conn.execute(query).mappings()]

    def _review(self, row: Any) -> Review:
        comparison = Comparison(tuple(row["comparison"]["levels"]), tuple(row["comparison"]["notes"]))
        return Review(**_summary_fields(row), explanation=explain(comparison, self.matcher.model))
