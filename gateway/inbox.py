"""The consumer side of at-least-once delivery, shared by the directory and CAF stores.

Each store keeps an *inbox* (every ``event_id`` it has processed, so a redelivery is harmless) and, per
``subject``, the highest ``version`` applied (so a stale redelivery never overwrites newer data). Both
are written in the same transaction as the change itself; the consumer acknowledges the broker's
delivery only after that transaction commits.

``apply`` results:

==============  ==========================================================  =======================
outcome         meaning                                                     consumer
==============  ==========================================================  =======================
``applied``     the change was made                                         ack
``duplicate``   this event id was processed before; nothing was done        ack
``stale``       a newer version of the subject is held; nothing was done    ack
``rejected``    the event is not for this store or its payload is invalid   dead-letter with reason
==============  ==========================================================  =======================

A database failure raises :class:`~gateway.StorageError` and nothing of the batch is kept: do not
acknowledge; the broker redelivers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

import orjson
from pydantic import ValidationError
from sqlalchemy import Connection, Table, bindparam, false, insert, select, update

from gateway.events import Event

__all__ = [
    "IN_LIST_SIZE",
    "ApplyOutcome",
    "ApplyResult",
    "Inbox",
    "InboxBatch",
    "contains_nul",
    "in_lists",
    "invalid_payload_reason",
]

ApplyOutcome = Literal["applied", "duplicate", "stale", "rejected"]


@dataclass(frozen=True)
class ApplyResult:
    """What applying one event did. ``reason`` (for ``rejected``) names the problem, never a value."""

    event_id: str
    outcome: ApplyOutcome
    reason: str | None = None

    @property
    def acknowledge(self) -> bool:
        """True when the delivery may be acknowledged (everything but a rejection)."""
        return self.outcome != "rejected"


IN_LIST_SIZE: Final = 500
"""Values per ``IN (...)`` list: a batch larger than this is read in a few statements rather than one."""


def in_lists(values: Iterable[str]) -> Iterator[list[str]]:
    """``values`` (deduplicated, sorted) in slices of at most :data:`IN_LIST_SIZE`, for ``IN (...)`` lists."""
    ordered = sorted(set(values))
    for first in range(0, len(ordered), IN_LIST_SIZE):
        yield ordered[first : first + IN_LIST_SIZE]


class Inbox:
    """Inbox and per-subject versions over two tables with the shapes of ``directory_inbox``/``_versions``."""

    def __init__(self, inbox: Table, versions: Table) -> None:
        self._inbox = inbox
        self._versions = versions

    def version(self, connection: Connection, subject: str) -> int | None:
        """The highest version applied for ``subject`` (row-locked on PostgreSQL until commit), or ``None``."""
        found = connection.execute(
            select(self._versions.c.version).where(self._versions.c.subject == subject).with_for_update()
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def open_batch(self, connection: Connection, events: Sequence[Event]) -> InboxBatch:
        """Read what the inbox and versions hold about ``events`` in a few statements (see :class:`InboxBatch`)."""
        return InboxBatch(self._inbox, self._versions, connection, events)


class InboxBatch:
    """One batch's view of an :class:`Inbox`: read once, decided in memory, written once by :meth:`flush`.

    Opening it locks the versions of the batch's subjects (``SELECT ... FOR UPDATE`` in subject order on
    PostgreSQL, so two consumers never deadlock on them; on SQLite the database write lock, taken first) and *then*
    reads which event ids were processed — so a consumer that waited for another's lock sees what that
    one committed. A subject without a versions row has nothing to lock: two consumers applying the
    same new subject both insert its row, and the second's transaction fails (and is retried) instead of
    overwriting anything.

    Decisions follow the order of the batch exactly as if the events were applied one at a time:
    :meth:`seen` and :meth:`is_stale` include what earlier events of the batch did.
    """

    def __init__(self, inbox: Table, versions: Table, connection: Connection, events: Sequence[Event]) -> None:
        self._inbox = inbox
        self._versions = versions
        self._held: dict[str, int] = {}
        if connection.dialect.name == "sqlite":
            # The driver runs SELECTs outside any transaction until the first write, so another consumer could
            # commit between these reads and this batch's writes (a lost update). A no-op write first takes
            # the database's write lock: the whole batch, reads included, is then one serialised transaction.
            connection.execute(update(versions).where(false()).values(version=versions.c.version))
        for subjects in in_lists(event.subject for event in events):
            rows = connection.execute(
                select(versions.c.subject, versions.c.version)
                .where(versions.c.subject.in_(subjects))
                .order_by(versions.c.subject)
                .with_for_update()
            )
            self._held.update((subject, int(version)) for subject, version in rows)
        self._stored = frozenset(self._held)
        self._seen: set[str] = set()
        for event_ids in in_lists(event.event_id for event in events):
            found = connection.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(event_ids)))
            self._seen.update(found.scalars())
        self._advanced: dict[str, dict[str, Any]] = {}
        self._recorded: list[dict[str, Any]] = []

    def seen(self, event_id: str) -> bool:
        """True when ``event_id`` was processed before (in an earlier transaction or earlier in the batch)."""
        return event_id in self._seen

    def is_stale(self, event: Event) -> bool:
        """True when a version at least as new as ``event.version`` was already applied for its subject."""
        held = self._held.get(event.subject)
        return held is not None and event.version <= held

    def advance(self, subject: str, version: int, **extra: object) -> None:
        """Record ``version`` (and any extra columns) as the newest applied for ``subject``."""
        self._held[subject] = version
        self._advanced[subject] = {"version": version, **extra}

    def record(self, event: Event, outcome: ApplyOutcome) -> ApplyResult:
        """Add ``event`` to the inbox with its outcome (never for a rejection, so a fixed replay can apply)."""
        if outcome != "rejected":
            self._seen.add(event.event_id)
            self._recorded.append(
                {
                    "event_id": event.event_id,
                    "kind": event.kind,
                    "subject": event.subject,
                    "version": event.version,
                    "outcome": outcome,
                }
            )
        return ApplyResult(event.event_id, outcome)

    def flush(self, connection: Connection) -> None:
        """Write the advanced versions (one update and one insert) and the inbox rows (one insert).

        Rows go in key order, so two consumers writing overlapping batches wait for each other rather
        than deadlock.
        """
        versions = self._versions
        changed = sorted(self._advanced.items())
        updates = [{"b_subject": subject, **values} for subject, values in changed if subject in self._stored]
        inserts = [{"subject": subject, **values} for subject, values in changed if subject not in self._stored]
        if updates:
            columns = {name: bindparam(name, type_=versions.c[name].type) for name in updates[0] if name != "b_subject"}
            statement = update(versions).where(versions.c.subject == bindparam("b_subject")).values(columns)
            connection.execute(statement, updates)
        if inserts:
            connection.execute(insert(versions), inserts)
        if self._recorded:
            applied_at = datetime.now(UTC)
            rows = sorted(self._recorded, key=lambda row: str(row["event_id"]))
            connection.execute(insert(self._inbox), [{**row, "applied_at": applied_at} for row in rows])


def _walk_for_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_walk_for_nul(key) or _walk_for_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_walk_for_nul(item) for item in value)
    return False


def contains_nul(value: Any) -> bool:
    """True when a NUL character hides anywhere in ``value`` (PostgreSQL text cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    try:
        encoded = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return _walk_for_nul(value)
    # JSON always writes a NUL as \u0000, so without that text there is none (the fast, common case);
    # with it, the text may be a sender's literal backslash-u0000: walk the value to be sure.
    return b"\\u0000" in encoded and _walk_for_nul(value)


def _place(error: Any) -> str:
    parts = [str(part) for part in error["loc"]]
    if error["type"] == "extra_forbidden" and parts:
        parts[-1] = "*"  # an unknown key is the sender's text: it is not repeated
    return ".".join(parts) + f" ({error['type']})"


def invalid_payload_reason(exc: ValidationError) -> str:
    """Where a payload failed validation (field paths and error types only, never the values)."""
    places = sorted({_place(error) for error in exc.errors()})
    return "invalid payload at " + ", ".join(places[:5]) + (" ..." if len(places) > 5 else "")
