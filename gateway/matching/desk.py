"""The review desk: what a person deciding possible duplicates can do, shared by the CLI and the HTTP API.

:class:`ReviewDesk` wraps the :class:`~gateway.matching.review.ReviewQueue` with the rules both front ends
apply: a reason of at least :data:`MIN_REASON` characters for every decision (:func:`checked_reason`), the
queue listed page by page without personal data, a pair opened only through :func:`open_pair` (audited),
and, after a decision, which events the released held record sent: exactly those the decision's release
wrote in its transaction (:attr:`Decision.released <gateway.matching.decisions.Decision.released>`), never
another decision's on the same message.

**Councils.** Given ``councils`` (an HTTP caller's LA numbers), the desk shows and decides only reviews
whose *incoming* record belongs to those councils: the councils of its LA child ids (``201:AB123``), or, for
a record without one, the council of the message it is held in. A record naming a council outside
``councils`` (or none at all) is treated exactly like a missing one (:class:`ReviewNotFound`), so another
council's reviews cannot be discovered. ``councils=None`` (the operator on the gateway host) sees every
review. An opened pair that is outside the caller's councils is audited as ``refused``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, select

from gateway.access import Caller
from gateway.audit import AuditEntry
from gateway.matching.decisions import Decision, ReviewStateError
from gateway.matching.pairs import VIEW_ACTION, ReviewPair, open_pair
from gateway.matching.review import ReviewQueue, ReviewSummary
from gateway.storage.database import Database
from gateway.storage.tables import match_decisions, match_identities, match_reviews, messages

__all__ = [
    "MIN_REASON",
    "STATUSES",
    "Decided",
    "ReasonTooShort",
    "ReviewDesk",
    "ReviewNotFound",
    "ReviewSummary",
    "checked_reason",
    "record_councils",
]

MIN_REASON: Final = 10
"""A decision's reason must say something: at least this many characters (after trimming)."""
STATUSES: Final = ("open", "same", "not-same", "superseded", "all")
"""Review statuses a list may ask for (``all``: any)."""

_SCAN: Final = 500
"""Reviews read per query while filtering a page by council."""

_HELD_IN: Final = match_identities.outerjoin(messages, messages.c.message_id == match_identities.c.held_message_id)
"""A record with the message it is held in (if any), for that message's council."""
_WITH_RECORD: Final = match_reviews.join(_HELD_IN, match_identities.c.record_id == match_reviews.c.record_id)
"""A review with its incoming record and the message that record is held in (if any)."""

_LISTED: Final = tuple(column for column in match_reviews.c if column.name != "comparison")
"""The columns of a listed review (no comparison: a list holds no explanation)."""


class ReasonTooShort(ValueError):
    """A decision's reason is missing or shorter than :data:`MIN_REASON` characters."""


class ReviewNotFound(ReviewStateError):
    """No such review, record or decision — or one outside the caller's councils (the two answer alike)."""


def checked_reason(reason: str) -> str:
    """``reason`` trimmed, or :class:`ReasonTooShort`."""
    trimmed = reason.strip()
    if len(trimmed) < MIN_REASON:
        raise ReasonTooShort(f"a reason of at least {MIN_REASON} characters is needed: it is kept with the decision")
    return trimmed


def record_councils(identity: object, held_la: str | None) -> frozenset[str]:
    """The councils a record belongs to: those of its LA child ids, else the council of its held message."""
    local_ids = identity.get("local_ids", ()) if isinstance(identity, Mapping) else ()
    found = frozenset(str(local).split(":", 1)[0] for local in local_ids if ":" in str(local))
    if found:
        return found
    return frozenset({held_la}) if held_la else frozenset()


def _within(identity: object, held_la: str | None, councils: Collection[str] | None) -> bool:
    if councils is None:
        return True
    owners = record_councils(identity, held_la)
    return bool(owners) and owners <= set(councils)


@dataclass(frozen=True)
class Decided:
    """A recorded decision and what it released: the held message and the kinds of the events it sent."""

    decision: Decision
    held_message_id: str | None
    released: tuple[str, ...]


class ReviewDesk:
    """Lists, opens and decides reviews for a person, within their councils (see the module doc)."""

    def __init__(self, database: Database, queue: ReviewQueue) -> None:
        self._db = database
        self.queue = queue

    # --- reading ------------------------------------------------------------------------------------------

    def reviews(
        self, *, status: str = "open", limit: int = 50, after: int = 0, councils: Collection[str] | None = None
    ) -> tuple[list[ReviewSummary], int | None]:
        """Reviews with ``status`` (``all``: any), oldest first, after review id ``after``: one page of at most
        ``limit`` and the ``after`` of the next page (``None`` on the last)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of: {', '.join(STATUSES)}")
        r, i = match_reviews.c, match_identities.c
        found: list[ReviewSummary] = []
        cursor = after
        with self._db.engine.connect() as conn:
            while len(found) <= limit:
                query = (
                    select(*_LISTED, i.identity, messages.c.la_code)
                    .select_from(_WITH_RECORD)
                    .where(r.review_id > cursor)
                    .order_by(r.review_id)
                    .limit(limit + 1 if councils is None else _SCAN)
                )
                if status != "all":
                    query = query.where(r.status == status)
                rows = conn.execute(query).all()
                found.extend(
                    ReviewSummary.from_row(row._mapping) for row in rows if _within(row.identity, row.la_code, councils)
                )
                if councils is None or len(rows) < _SCAN:
                    break
                cursor = rows[-1].review_id
        page = found[:limit]
        return page, (page[-1].review_id if len(found) > limit else None)

    def open(
        self, review_id: int, *, by: Caller, purpose: str, councils: Collection[str] | None = None
    ) -> ReviewPair | None:
        """Both records of a review side by side (:func:`open_pair`, audited), or ``None`` when there is no
        such review or it is outside ``councils`` (audited as ``refused``)."""
        with self._db.engine.begin() as conn:
            row = self._review_record(conn, review_id)
            if row is not None and not _within(row.identity, row.la_code, councils):
                entry = AuditEntry.by(
                    by, VIEW_ACTION, purpose, "refused", subject=str(review_id), query={"review_id": review_id}
                )
                self.queue.audit.append(conn, entry)
                return None
        return open_pair(self._db, self.queue.audit, self.queue.matcher.model, review_id, by=by, purpose=purpose)

    def other_open_reviews(self, record_id: str, review_id: int) -> list[int]:
        """The other open reviews of the same incoming record (one per candidate child)."""
        r = match_reviews.c
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(r.review_id)
                .where(r.record_id == record_id, r.status == "open", r.review_id != review_id)
                .order_by(r.review_id)
            )
            return [row.review_id for row in rows]

    # --- deciding -----------------------------------------------------------------------------------------

    def decide(
        self, review_id: int, *, same: bool, by: Caller, reason: str, councils: Collection[str] | None = None
    ) -> Decided:
        """Decide an open review (same child: merge; not: remember); a held record is released."""
        why = checked_reason(reason)
        with self._db.engine.connect() as conn:
            row = self._review_record(conn, review_id)
        if row is None or not _within(row.identity, row.la_code, councils):
            raise ReviewNotFound("no such review")
        decision = self.queue.decide(review_id, same=same, by=by, reason=why)
        return Decided(decision, row.held_message_id, tuple(event.kind for event in decision.released))

    def unmerge(self, record_id: str, *, by: Caller, reason: str, councils: Collection[str] | None = None) -> Decided:
        """Take a wrongly merged record out of its child into a new one."""
        why = checked_reason(reason)
        self._check_record(record_id, councils)
        return Decided(self.queue.unmerge(record_id, by=by, reason=why), None, ())

    def reverse(self, decision_id: int, *, by: Caller, reason: str, councils: Collection[str] | None = None) -> Decided:
        """Undo a decision (a merge is unmerged, a "different" reopens its review, an unmerge links back)."""
        why = checked_reason(reason)
        with self._db.engine.connect() as conn:
            record_id = conn.execute(
                select(match_decisions.c.record_id).where(match_decisions.c.decision_id == decision_id)
            ).scalar_one_or_none()
        if record_id is None:
            raise ReviewNotFound("no such decision")
        self._check_record(record_id, councils)
        return Decided(self.queue.reverse(decision_id, by=by, reason=why), None, ())

    # --- helpers ------------------------------------------------------------------------------------------

    def _review_record(self, conn: Connection, review_id: int) -> Any:
        i = match_identities.c
        return conn.execute(
            select(match_reviews.c.record_id, i.identity, i.held_message_id, messages.c.la_code)
            .select_from(_WITH_RECORD)
            .where(match_reviews.c.review_id == review_id)
        ).first()

    def _check_record(self, record_id: str, councils: Collection[str] | None) -> None:
        i = match_identities.c
        with self._db.engine.connect() as conn:
            row = conn.execute(
                select(i.identity, messages.c.la_code).select_from(_HELD_IN).where(i.record_id == record_id)
            ).first()
        if row is None or not _within(row.identity, row.la_code, councils):
            raise ReviewNotFound("no such record")
