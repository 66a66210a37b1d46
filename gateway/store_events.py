"""Events the stores raise themselves (break-glass alerts, consent withdrawals), written transactionally.

A store emits an event in the *same* transaction as the change that causes it, through an
:class:`EventSink`. The default sink, :class:`StoreEventTable`, writes the ``store_events`` table, from
which a relay publishes (with publisher confirms) and then marks each event sent. Routing may supply
its own sink (its outbox) instead: anything with ``emit(connection, event)`` will do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StorageError
from gateway.events import Event
from gateway.storage.tables import store_events

__all__ = ["EventSink", "StoreEventTable"]


class EventSink(Protocol):
    """Where a store puts the events it raises; called inside the store's transaction."""

    def emit(self, connection: Connection, event: Event) -> None: ...


class StoreEventTable:
    """The default :class:`EventSink`: the ``store_events`` table. Emitting the same event id twice is harmless."""

    def emit(self, connection: Connection, event: Event) -> None:
        exists = connection.execute(
            select(store_events.c.event_id).where(store_events.c.event_id == event.event_id)
        ).first()
        if exists is not None:
            return
        connection.execute(
            insert(store_events).values(
                event_id=event.event_id,
                kind=event.kind,
                body=event.model_dump(mode="json"),
                created_at=datetime.now(UTC),
                sent_at=None,
            )
        )

    def pending(self, engine: Engine, *, limit: int = 100) -> list[Event]:
        """Events not yet marked sent, oldest first."""
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    select(store_events.c.body)
                    .where(store_events.c.sent_at.is_(None))
                    .order_by(store_events.c.created_at, store_events.c.event_id)
                    .limit(limit)
                ).scalars()
                return [Event.model_validate(body) for body in rows]
        except SQLAlchemyError as exc:
            raise StorageError("could not read the stores' pending events") from exc

    def mark_sent(self, engine: Engine, event_ids: Iterable[str]) -> int:
        """Mark events as published (after the broker confirmed them); returns how many were marked."""
        ids = list(event_ids)
        if not ids:
            return 0
        try:
            with engine.begin() as conn:
                result = conn.execute(
                    update(store_events)
                    .where(store_events.c.event_id.in_(ids), store_events.c.sent_at.is_(None))
                    .values(sent_at=datetime.now(UTC))
                )
                return int(result.rowcount)
        except SQLAlchemyError as exc:
            raise StorageError("could not mark the stores' events as sent") from exc
