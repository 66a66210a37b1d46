"""Releasing a record that was held for review, once a person has decided who the child is.

Identity resolution holds back a record that may be a child already in the directory (``probable`` or
``possible`` match): its message is accepted, but the record sends no directory or CAF event, so no
directory record exists for it until a person decides. When they decide — the same child (merge) or not the
same (a new child) — the review queue calls :class:`HeldRecordRelease` in the decision's transaction: the
record is read from its stored canonical message and its events (:func:`~gateway.routing.router.record_events`)
go to the outbox under the decided child id, committed with the decision or not at all. The events carry
the original message's id, so the ledger and replay see them as that message's.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.events import Event
from gateway.matching.decisions import ReleasedEvent
from gateway.matching.resolution import record_id_for
from gateway.routing.outbox import Outbox, assign_versions
from gateway.routing.router import Routing, record_events
from gateway.storage import MessageStore
from gateway.views import DirectoryMove

__all__ = ["HeldRecordRelease", "MovedRecordRecall"]

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HeldRecordRelease:
    """Sends a held record's directory and CAF events under the child id a person decided on.

    A :class:`gateway.matching.ReleaseHook`. A message that is not (or no longer) stored as accepted, or that
    no longer has a record at that position, releases nothing: the supplier's next message about the child
    is routed under the decided child id anyway. Returns the events it wrote (their ids fixed here, so the
    decision can name exactly these).
    """

    def __init__(self, store: MessageStore, outbox: Outbox, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._store = store
        self._outbox = outbox
        self._clock = clock

    def __call__(
        self, connection: Connection, message_id: str, position: int, child_id: str
    ) -> tuple[ReleasedEvent, ...]:
        message = self._store.canonical(message_id) if self._store.status(message_id) == "accepted" else None
        if message is None or not 0 <= position < len(message.records):
            log.warning("held record not released: message not stored as accepted", extra={"message_id": message_id})
            return ()
        at = self._clock()
        record = message.records[position]
        source = record_id_for(message.envelope, record)
        events = tuple(
            replace(planned, event_id=planned.event_id or uuid.uuid4().hex)
            for planned in record_events(record, child_id, message.envelope.la_code, at=at, source=source)
        )
        self._outbox.write(connection, message.envelope, Routing(events=events), at=at)
        log.info("held record released", extra={"message_id": message_id, "records": 1})
        return tuple(ReleasedEvent(event_id=str(planned.event_id), kind=planned.kind) for planned in events)


class MovedRecordRecall:
    """Tells the directory that a person took a record out of a child: a ``directory.child.move`` event
    (:class:`gateway.views.DirectoryMove`) under the child it leaves, with that child's next version, written
    to the outbox in the decision's transaction. A :class:`gateway.matching.MoveHook`.

    The directory moves the record's view to the child it joins (or shows it under none while it awaits
    review), so the wrongly merged records are no longer shown together — without needing the supplier's
    message again (retention may have removed it).
    """

    def __init__(self, outbox: Outbox, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._outbox = outbox
        self._clock = clock

    def __call__(
        self, connection: Connection, record_id: str, from_child: str, to_child: str | None, *, la_code: str,
        decision_id: int,
    ) -> None:  # fmt: skip
        version = assign_versions(connection, Counter({from_child: 1}))[from_child]
        event = Event(
            event_id=f"match-move:{decision_id}",
            kind="directory.child.move",
            subject=from_child,
            version=version,
            la_code=la_code,
            message_id=f"match-decision:{decision_id}",
            occurred_at=self._clock(),
            payload=DirectoryMove(source=record_id, to=to_child).model_dump(mode="json", exclude_none=True),
        )
        self._outbox.emit(connection, event)
        log.info("directory told of a moved record", extra={"outcome": "moved" if to_child else "recalled"})
