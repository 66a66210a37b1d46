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
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection

from gateway.routing.outbox import Outbox
from gateway.routing.router import Routing, record_events
from gateway.storage import MessageStore

__all__ = ["HeldRecordRelease"]

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HeldRecordRelease:
    """Sends a held record's directory and CAF events under the child id a person decided on.

    A :class:`gateway.matching.ReleaseHook`. A message that is not (or no longer) stored as accepted, or that
    no longer has a record at that position, releases nothing: the supplier's next message about the child
    is routed under the decided child id anyway.
    """

    def __init__(self, store: MessageStore, outbox: Outbox, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._store = store
        self._outbox = outbox
        self._clock = clock

    def __call__(self, connection: Connection, message_id: str, position: int, child_id: str) -> None:
        message = self._store.canonical(message_id) if self._store.status(message_id) == "accepted" else None
        if message is None or not 0 <= position < len(message.records):
            log.warning("held record not released: message not stored as accepted", extra={"message_id": message_id})
            return
        at = self._clock()
        record = message.records[position]
        events = record_events(record, child_id, message.envelope.la_code, at=at)
        self._outbox.write(connection, message.envelope, Routing(events=tuple(events)), at=at)
        log.info("held record released", extra={"message_id": message_id, "records": 1})
