"""Identity resolution against the directory, and the review queue of possible duplicates.

Life cycle of an incoming record (:meth:`ReviewQueue.resolve`):

* ``certain`` match with a linked record -> **linked** to that child (one child only; ``certain`` matches
  with two different children go to review instead);
* any ``probable`` or ``possible`` match -> **review**: the record is kept *pending* with no child id — no
  new child is created until a person decides — and one open review per candidate is queued;
* no match -> **new**: a new gateway child id;
* a record id seen before (an update) keeps its link and is matched again, but pairs already reviewed or
  remembered as different children are never queued again (**known**, or **review** for new pairs).

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, insert, or_, select

from gateway.audit import AuditLog
from gateway.matching.blocking import query_keys
from gateway.matching.comparisons import Comparison
from gateway.matching.decisions import Decision, DecisionLog, ReviewStateError, aware, new_child_id
from gateway.matching.explanation import FieldExplanation, explain, render
from gateway.matching.features import PreparedRecord
from gateway.matching.matcher import Matcher, MatchResult
from gateway.matching.record import IdentityRecord
from gateway.matching.store import SqlIndex
from gateway.storage.database import Database
from gateway.storage.tables import match_identities, match_non_matches, match_reviews

__all__ = ["Decision", "Resolution", "Review", "ReviewQueue", "ReviewStateError"]

log = logging.getLogger(__name__)

Outcome = Literal["linked", "review", "new", "known"]


@dataclass(frozen=True)
class Resolution:
    """What happened to an incoming record."""

    record_id: str
    outcome: Outcome
    child_id: str | None
    matches: tuple[MatchResult, ...]
    review_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Review:
    """A queued possible duplicate, with its explanation for the person deciding."""

    review_id: int
    record_id: str
    candidate_id: str
    grade: str
    weight: float
    rule: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None
    explanation: tuple[FieldExplanation, ...]

    def explanation_text(self) -> str:
        return render(self.explanation)


class ReviewQueue(DecisionLog):
    """Resolves incoming records against the directory's match index and keeps the review queue."""

    def __init__(self, database: Database, matcher: Matcher | None = None, *, audit: AuditLog | None = None) -> None:
        self._db = database
        self.index = SqlIndex(database)
        self.matcher = matcher or Matcher(self.index)
        self._audit = audit or AuditLog()

    # --- resolution ---------------------------------------------------------------------------------------

    def resolve(self, record: IdentityRecord) -> Resolution:
        """Match ``record`` against every record seen so far and link, queue or create (see module doc)."""
        prepared = self.matcher.prepare(record)
        now = datetime.now(UTC)
        with self._db.engine.begin() as conn:
            known = self._identity(conn, record.record_id)
            if known is not None:
                return self._update(conn, prepared, known, now)
            candidates = self.index.candidates(query_keys(prepared), max_block=self.matcher.max_block, connection=conn)
            results = self.matcher.rank(prepared, candidates)
            children = self._children(conn, [r.candidate_id for r in results])
            certain = {children[r.candidate_id] for r in results if r.grade == "certain" and children[r.candidate_id]}
            if len(certain) == 1:
                child_id = certain.pop()
                self.index.add(prepared, connection=conn, child_id=child_id, status="linked")
                outcome: Outcome = "linked"
                review_ids: tuple[int, ...] = ()
            elif results:
                child_id = None
                self.index.add(prepared, connection=conn, child_id=None, status="pending")
                review_ids = tuple(self._queue(conn, result, now) for result in results)
                outcome = "review"
            else:
                child_id = new_child_id()
                self.index.add(prepared, connection=conn, child_id=child_id, status="linked")
                outcome, review_ids = "new", ()
        log.info("record resolved", extra={"outcome": outcome, "records": len(results)})
        return Resolution(record.record_id, outcome, child_id, tuple(results), review_ids)

    def _update(self, conn: Connection, prepared: PreparedRecord, known: Any, now: datetime) -> Resolution:
        """A record seen before, sent again (perhaps changed): re-index it, keep its link, and queue only pairs
        never reviewed before and not remembered as different children."""
        record_id = prepared.record_id
        self.index.add(prepared, connection=conn, child_id=known.child_id, status=known.status)
        candidates = self.index.candidates(query_keys(prepared), max_block=self.matcher.max_block, connection=conn)
        siblings = {
            r
            for r, child in self._children(conn, [c.record_id for c in candidates]).items()
            if child and child == known.child_id
        }
        seen = {
            row.candidate_id
            for row in conn.execute(select(match_reviews.c.candidate_id).where(match_reviews.c.record_id == record_id))
        } | {
            row.record_a if row.record_b == record_id else row.record_b
            for row in conn.execute(
                select(match_non_matches).where(
                    or_(match_non_matches.c.record_a == record_id, match_non_matches.c.record_b == record_id)
                )
            )
        }
        results = self.matcher.rank(prepared, candidates, exclude=siblings | seen)
        review_ids = tuple(self._queue(conn, result, now) for result in results)
        outcome: Outcome = "review" if review_ids else "known"
        return Resolution(record_id, outcome, known.child_id, tuple(results), review_ids)

    def _queue(self, conn: Connection, result: MatchResult, now: datetime) -> int:
        comparison = {"levels": list(result.comparison.levels), "notes": list(result.comparison.notes)}
        return int(
            conn.execute(
                insert(match_reviews)
                .values(
                    record_id=result.record_id,
                    candidate_id=result.candidate_id,
                    grade=result.grade,
                    weight=result.weight,
                    comparison=comparison,
                    rule=result.rule,
                    status="open",
                    created_at=now,
                )
                .returning(match_reviews.c.review_id)
            ).scalar_one()
        )

    # --- reading ------------------------------------------------------------------------------------------

    def _identity(self, conn: Connection, record_id: str) -> Any:
        return conn.execute(
            select(match_identities.c.record_id, match_identities.c.child_id, match_identities.c.status).where(
                match_identities.c.record_id == record_id
            )
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
        return Review(
            review_id=row["review_id"],
            record_id=row["record_id"],
            candidate_id=row["candidate_id"],
            grade=row["grade"],
            weight=row["weight"],
            rule=row["rule"],
            status=row["status"],
            created_at=aware(row["created_at"]) or datetime.now(UTC),
            closed_at=aware(row["closed_at"]),
            explanation=explain(comparison, self.matcher.model),
        )
