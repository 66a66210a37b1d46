"""Resolving the records of one message together: bulk reads, then each record in order, in one transaction.

A message of a few hundred children would otherwise cost a dozen round trips per child. A
:class:`ResolutionBatch` reads, in a handful of queries, everything its records can need — what the index
already knows about them, every candidate sharing a blocking key, their child ids, the reviews and the
remembered non-matches touching them — and then resolves the records one after another in memory, adding
each to its in-memory view, so a later record of the same message meets an earlier one exactly as it would
in the next message. Only writes (new identities, re-indexed ones, reviews, hold pointers) go to the
database, inside the caller's transaction (after :func:`~gateway.matching.locks.lock_for_resolution`).

With ``write=False`` the same answers are computed and nothing is written (:meth:`ReviewQueue.preview`):
a record that would be a new child gets a placeholder child id *inside the batch* (so that a later record of
the same message that is certainly the same child is seen as linked, as it will be), and none outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, insert, or_, select, update

from gateway.matching.blocking import query_keys
from gateway.matching.decisions import new_child_id
from gateway.matching.features import PreparedRecord
from gateway.matching.index import InMemoryIndex
from gateway.matching.matcher import Matcher, MatchResult
from gateway.matching.record import identity_to_dict
from gateway.matching.store import IndexWrite, SqlIndex
from gateway.storage.tables import match_identities, match_non_matches, match_reviews

__all__ = ["Outcome", "Resolution", "ResolutionBatch"]

Outcome = Literal["linked", "review", "new", "known"]

_CHUNK = 500  # ids per IN (...) list
_PLACEHOLDER = "new:"


@dataclass(frozen=True)
class Resolution:
    """What happened to an incoming record."""

    record_id: str
    outcome: Outcome
    child_id: str | None
    matches: tuple[MatchResult, ...]
    review_ids: tuple[int, ...] = ()
    candidate_children: Mapping[str, str | None] = field(default_factory=dict)
    """The child id of each match's candidate (``None`` while pending; inside a preview, a child the batch
    would create has a ``new:`` placeholder, so two records of one new child count as one child)."""


@dataclass
class _Known:
    """A record already in the index (or added earlier in this batch)."""

    child_id: str | None
    status: str
    identity: dict[str, Any]
    held_message_id: str | None = None


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])


class ResolutionBatch:
    """The records of one transaction, resolved in order against the index and against each other."""

    def __init__(
        self,
        conn: Connection,
        index: SqlIndex,
        matcher: Matcher,
        records: Sequence[PreparedRecord],
        *,
        write: bool,
        now: datetime,
        queue_review: Callable[[Connection, MatchResult, datetime], int],
    ) -> None:
        self._conn = conn
        self._sql = index
        self._matcher = matcher
        self._write = write
        self._now = now
        self._queue_review = queue_review
        ids = list(dict.fromkeys(r.record_id for r in records))
        self._known = self._load_known(ids)
        keys = sorted({key for r in records if not self._settled(r) for key in query_keys(r)})
        pool = index.candidates(keys, max_block=matcher.max_block, connection=conn) if keys else []
        self._index = InMemoryIndex(pool)
        self._children = self._load_children([r.record_id for r in pool])
        self._children.update({record_id: known.child_id for record_id, known in self._known.items()})
        self._reviews = self._load_reviews(ids)
        self._remembered = self._load_remembered(ids)
        self._pending: dict[str, IndexWrite] = {}
        """Index writes not yet sent: flushed together (:meth:`flush`) before any write that depends on them."""

    # --- bulk reads -----------------------------------------------------------------------------------------

    def _load_known(self, ids: Sequence[str]) -> dict[str, _Known]:
        c = match_identities.c
        found: dict[str, _Known] = {}
        for chunk in _chunks(ids):
            rows = self._conn.execute(
                select(c.record_id, c.child_id, c.status, c.identity, c.held_message_id).where(c.record_id.in_(chunk))
            )
            for row in rows:
                found[row.record_id] = _Known(row.child_id, row.status, row.identity, row.held_message_id)
        return found

    def _load_children(self, ids: Sequence[str]) -> dict[str, str | None]:
        c = match_identities.c
        found: dict[str, str | None] = {}
        for chunk in _chunks(ids):
            found.update(
                (row.record_id, row.child_id)
                for row in self._conn.execute(select(c.record_id, c.child_id).where(c.record_id.in_(chunk)))
            )
        return found

    def _load_reviews(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """``(record, candidate, status)`` of every review touching ``ids``, either way round."""
        c = match_reviews.c
        found: list[tuple[str, str, str]] = []
        for chunk in _chunks(ids):
            rows = self._conn.execute(
                select(c.record_id, c.candidate_id, c.status).where(
                    or_(c.record_id.in_(chunk), c.candidate_id.in_(chunk))
                )
            )
            found.extend((row.record_id, row.candidate_id, row.status) for row in rows)
        return found

    def _load_remembered(self, ids: Sequence[str]) -> set[tuple[str, str]]:
        c = match_non_matches.c
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(ids):
            rows = self._conn.execute(
                select(c.record_a, c.record_b).where(or_(c.record_a.in_(chunk), c.record_b.in_(chunk)))
            )
            found.update((row.record_a, row.record_b) for row in rows)
        return found

    # --- resolving ------------------------------------------------------------------------------------------

    def _settled(self, record: PreparedRecord) -> bool:
        """Sent again unchanged: nothing to match. Every record indexed since was matched against this one when
        it arrived. (A preview still matches a record awaiting review, to report its possible duplicates.)"""
        known = self._known.get(record.record_id)
        return (
            known is not None
            and (self._write or known.child_id is not None)
            and known.identity == identity_to_dict(record.record)
        )

    def resolve(self, record: PreparedRecord, held_in: tuple[str, int] | None = None) -> Resolution:
        """Resolve the next record (see :mod:`gateway.matching.review` for the rules)."""
        known = self._known.get(record.record_id)
        if known is None:
            resolution = self._first(record)
        elif self._settled(record):
            resolution = Resolution(record.record_id, "known", known.child_id, ())
        else:
            resolution = self._again(record, known)
        if self._write:
            self._hold(record.record_id, resolution.child_id, held_in)
        elif resolution.child_id is not None and resolution.child_id.startswith(_PLACEHOLDER):
            # linked to (or being) a child this batch would create: no child id exists outside it yet
            return replace(resolution, child_id=None)
        return resolution

    def _candidates(self, record: PreparedRecord) -> list[PreparedRecord]:
        return self._index.candidates(query_keys(record), max_block=self._matcher.max_block)

    def _first(self, record: PreparedRecord) -> Resolution:
        """A record never seen before: linked, queued for review or a new child."""
        results = self._matcher.rank(record, self._candidates(record))
        certain = {
            child for r in results if r.grade == "certain" and (child := self._children.get(r.candidate_id)) is not None
        }
        review_ids: tuple[int, ...] = ()
        if len(certain) == 1:
            outcome: Outcome = "linked"
            child_id: str | None = certain.pop()
        elif results:
            outcome, child_id = "review", None
        else:
            outcome = "new"
            child_id = new_child_id() if self._write else _PLACEHOLDER + record.record_id
        status = "pending" if child_id is None else "linked"
        if self._write:
            self._stage(record, child_id, status, exists=False)
            if outcome == "review":
                review_ids = self._queue(results)
        self._remember(record, _Known(child_id, status, identity_to_dict(record.record)))
        return Resolution(record.record_id, outcome, child_id, tuple(results), review_ids, self._of(results))

    def _again(self, record: PreparedRecord, known: _Known) -> Resolution:
        """A record seen before, changed: re-index it, keep its link; queue only pairs never reviewed before
        and not remembered as different children (a preview still reports the open ones)."""
        candidates = self._candidates(record)
        excluded = self._excluded(record.record_id, known.child_id, candidates, open_reviews=self._write)
        results = self._matcher.rank(record, candidates, exclude=excluded)
        review_ids: tuple[int, ...] = ()
        if self._write:
            self._stage(record, known.child_id, known.status, exists=True)
            review_ids = self._queue(results)
            outcome: Outcome = "review" if review_ids else "known"
        else:
            outcome = "review" if known.child_id is None or results else "known"
        self._remember(
            record, _Known(known.child_id, known.status, identity_to_dict(record.record), known.held_message_id)
        )
        return Resolution(record.record_id, outcome, known.child_id, tuple(results), review_ids, self._of(results))

    def _of(self, results: Sequence[MatchResult]) -> dict[str, str | None]:
        return {r.candidate_id: self._children.get(r.candidate_id) for r in results}

    def _excluded(
        self, record_id: str, child_id: str | None, candidates: Sequence[PreparedRecord], *, open_reviews: bool
    ) -> set[str]:
        """Candidates a known record is not matched with again: its own child's records, pairs remembered as
        different children, and pairs already reviewed either way round (closed ones; open ones too)."""
        siblings = {
            c.record_id for c in candidates if child_id is not None and self._children.get(c.record_id) == child_id
        }
        reviewed = {
            candidate if record == record_id else record
            for record, candidate, status in self._reviews
            if record_id in (record, candidate) and (open_reviews or status != "open")
        }
        remembered = {a if b == record_id else b for a, b in self._remembered if record_id in (a, b)}
        return siblings | reviewed | remembered

    def _stage(self, record: PreparedRecord, child_id: str | None, status: str, *, exists: bool) -> None:
        """Buffer an index write (a record written twice in one batch is inserted once, with its last values)."""
        staged = self._pending.get(record.record_id)
        first = exists if staged is None else staged.exists
        self._pending[record.record_id] = IndexWrite(record, child_id, status, first)

    def flush(self) -> None:
        """Send the buffered index writes (a few statements for the whole batch)."""
        if self._pending:
            self._sql.write_many(self._conn, list(self._pending.values()))
            self._pending.clear()

    def _queue(self, results: Sequence[MatchResult]) -> tuple[int, ...]:
        if results:
            self.flush()  # a review names both records: they must be stored first
        review_ids = tuple(self._queue_review(self._conn, result, self._now) for result in results)
        self._reviews.extend((r.record_id, r.candidate_id, "open") for r in results)
        return review_ids

    def _remember(self, record: PreparedRecord, known: _Known) -> None:
        """Make the record visible to the rest of the batch."""
        self._known[record.record_id] = known
        self._children[record.record_id] = known.child_id
        self._index.add(record)

    def _hold(self, record_id: str, child_id: str | None, held_in: tuple[str, int] | None) -> None:
        """Remember where a pending record is held; forget it once the record is linked."""
        known = self._known[record_id]
        if child_id is None and held_in is not None:
            message_id, position = held_in
        elif child_id is not None and known.held_message_id is not None:
            message_id, position = None, None
        else:
            return
        known.held_message_id = message_id
        self.flush()
        self._conn.execute(
            update(match_identities)
            .where(match_identities.c.record_id == record_id)
            .values(held_message_id=message_id, held_position=position)
        )


def insert_review(conn: Connection, result: MatchResult, now: datetime) -> int:
    """Queue one possible duplicate; returns its review id."""
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
