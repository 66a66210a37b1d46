"""The retention policy of the gateway's database, and the job that applies it (``ecm-gateway retention run``).

What is kept, and for how long (settings in brackets):

* a **delivered** message's payload — raw files, canonical form — for ``ECM_RETENTION_DAYS`` after receipt
  (default 30): long enough to replay it after a mapping or rule fix;
* the payload of a message **awaiting replay** — rejected, or with events dead-lettered and not replayed —
  for ``ECM_REJECTED_RETENTION_DAYS`` (default 90), so the supplier's problem can be fixed and replayed;
* a message still **in flight** (not processed, outgoing rows not confirmed) or holding a record **held for
  a person's review** keeps its payload whatever its age: it is still needed;
* **sent outbox rows** are copies of delivered events: deleted once older than ``ECM_RETENTION_DAYS``, or as
  soon as their message's payload is gone; unsent rows are never touched (the ledger counts them);
* **dead letters** keep their body for ``ECM_RETENTION_DAYS`` after a replay, or ``ECM_REJECTED_RETENTION_DAYS``
  when never replayed; then the body is emptied and the row (ids, queue, reason) stays;
* **directory** entries archive on their retention date (18th birthday, 25th for consenting care leavers) and
  are deleted ``ECM_ARCHIVE_RETENTION_DAYS`` after archiving (default six years).

Removing a payload keeps its tombstone (:mod:`gateway.storage.payloads`): the ledger's counts and the audit
hash chain stay intact, and every removal is itself audited (message and dead-letter ids, never content).
A supplier's purge does not wait for this job: it removes every payload holding the child at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import Connection, Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.errors import StorageError
from gateway.routing.tables import dead_letters, outbox
from gateway.settings import Settings
from gateway.storage import Database
from gateway.storage.payloads import RemovalReason, remove_payloads
from gateway.storage.tables import match_identities, messages

__all__ = ["Progress", "RetentionPolicy", "RetentionReport", "RoutingCopies", "Step", "run_retention", "start_of"]

logger = logging.getLogger(__name__)

Step = Literal["delivered", "awaiting-replay", "dead-letters", "outbox", "archive", "delete-archived"]
Progress = Callable[[Step, int], None]

_BATCH = 500


class RoutingCopies:
    """Routing's copies of a payload (:class:`gateway.storage.payloads.PayloadCopies`): sent outbox rows are
    deleted, dead letters' bodies emptied. Unsent outbox rows stay — they must still be delivered, and a
    purge's own event follows them with a higher version."""

    def remove(self, connection: Connection, message_ids: Sequence[str], reason: RemovalReason, at: datetime) -> None:
        ids = list(message_ids)
        connection.execute(delete(outbox).where(outbox.c.message_id.in_(ids), outbox.c.sent_at.is_not(None)))
        connection.execute(
            update(dead_letters)
            .where(dead_letters.c.message_id.in_(ids), dead_letters.c.payload_removed_at.is_(None))
            .values(body=b"", payload_removed_at=at, payload_removed_reason=reason)
        )


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of content is kept."""

    delivered: timedelta = timedelta(days=30)
    awaiting_replay: timedelta = timedelta(days=90)
    archived: timedelta = timedelta(days=2190)

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            delivered=timedelta(days=settings.retention_days),
            awaiting_replay=timedelta(days=settings.rejected_retention_days),
            archived=timedelta(days=settings.archive_retention_days),
        )


@dataclass
class RetentionReport:
    """What a run removed (or, in a dry run, would remove), per step."""

    as_of: datetime
    dry_run: bool
    counts: dict[Step, int] = field(default_factory=dict)

    def add(self, step: Step, count: int) -> None:
        self.counts[step] = self.counts.get(step, 0) + count


def _unsent(message_id: object) -> object:
    return exists().where(outbox.c.message_id == message_id, outbox.c.sent_at.is_(None))


def _dead_waiting(message_id: object) -> object:
    return exists().where(dead_letters.c.message_id == message_id, dead_letters.c.replayed_at.is_(None))


def _held(message_id: object) -> object:
    return exists().where(match_identities.c.held_message_id == message_id)


def _due_messages(step: Step, cutoff: datetime) -> Select[tuple[str]]:
    """Messages whose payload ``step`` removes: old enough, not in flight, not held for review."""
    m = messages.c
    query = select(m.message_id).where(
        m.payload_removed_at.is_(None),
        m.received_at < cutoff,
        ~_unsent(m.message_id),  # type: ignore[operator]
        ~_held(m.message_id),  # type: ignore[operator]
    )
    if step == "delivered":
        return query.where(m.status == "accepted", ~_dead_waiting(m.message_id))  # type: ignore[operator]
    awaiting = or_(m.status == "rejected", and_(m.status == "accepted", _dead_waiting(m.message_id)))  # type: ignore[arg-type]
    return query.where(awaiting)


def _due_dead_letters(policy: RetentionPolicy, now: datetime) -> Select[tuple[int]]:
    d = dead_letters.c
    return select(d.dead_letter_id).where(
        d.payload_removed_at.is_(None),
        or_(
            and_(d.replayed_at.is_not(None), d.replayed_at < now - policy.delivered),
            and_(d.replayed_at.is_(None), d.collected_at < now - policy.awaiting_replay),
        ),
    )


def _due_outbox(policy: RetentionPolicy, now: datetime) -> object:
    removed = exists().where(messages.c.message_id == outbox.c.message_id, messages.c.payload_removed_at.is_not(None))
    return and_(outbox.c.sent_at.is_not(None), or_(outbox.c.sent_at < now - policy.delivered, removed))


def _count(conn: Connection, query: Select[tuple[str]] | Select[tuple[int]]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


class _Run:
    def __init__(self, database: Database, audit: AuditLog, copies: RoutingCopies, report: RetentionReport) -> None:
        self.db, self.audit, self.copies, self.report = database, audit, copies, report

    def messages(self, step: Step, cutoff: datetime, progress: Progress | None) -> None:
        query = _due_messages(step, cutoff).order_by(messages.c.received_at, messages.c.message_id).limit(_BATCH)
        while True:
            at = datetime.now(UTC)
            with self.db.engine.begin() as conn:
                ids = [str(message_id) for message_id in conn.execute(query).scalars()]
                if not ids:
                    return
                removed = remove_payloads(conn, ids, "retention", at, copies=self.copies)
                self._audit(conn, "messages.payload-removed", step, cutoff, removed)
            self.report.add(step, len(removed))
            if progress is not None:
                progress(step, len(removed))

    def dead_letters(self, policy: RetentionPolicy, now: datetime, progress: Progress | None) -> None:
        query = _due_dead_letters(policy, now).order_by(dead_letters.c.dead_letter_id).limit(_BATCH)
        while True:
            at = datetime.now(UTC)
            with self.db.engine.begin() as conn:
                ids = list(conn.execute(query).scalars())
                if not ids:
                    return
                conn.execute(
                    update(dead_letters)
                    .where(dead_letters.c.dead_letter_id.in_(ids))
                    .values(body=b"", payload_removed_at=at, payload_removed_reason="retention")
                )
                self._audit(conn, "dead-letters.payload-removed", "dead-letters", now, [str(i) for i in ids])
            self.report.add("dead-letters", len(ids))
            if progress is not None:
                progress("dead-letters", len(ids))

    def outbox(self, policy: RetentionPolicy, now: datetime, progress: Progress | None) -> None:
        query = select(outbox.c.outbox_id).where(_due_outbox(policy, now)).order_by(outbox.c.outbox_id).limit(5000)  # type: ignore[arg-type]
        while True:
            with self.db.engine.begin() as conn:
                ids = list(conn.execute(query).scalars())
                if not ids:
                    return
                conn.execute(delete(outbox).where(outbox.c.outbox_id.in_(ids)))
            self.report.add("outbox", len(ids))
            if progress is not None:
                progress("outbox", len(ids))

    def _audit(self, conn: Connection, action: str, step: Step, cutoff: datetime, ids: Sequence[str]) -> None:
        self.audit.append(
            conn,
            AuditEntry.by(
                SYSTEM_CALLER,
                action,
                f"retention period ran out ({step})",
                "removed",
                query={"step": step, "before": cutoff.astimezone(UTC).isoformat()},
                result_ids=ids,
            ),
        )


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, UTC)


def run_retention(
    database: Database,
    policy: RetentionPolicy,
    *,
    audit: AuditLog,
    now: datetime | None = None,
    dry_run: bool = False,
    directory: bool = True,
    progress: Progress | None = None,
) -> RetentionReport:
    """Apply ``policy`` as of ``now``: remove payloads past retention, archive and delete directory entries.

    With ``dry_run`` nothing changes: the report counts what would be removed. Runs in batches, each in its
    own transaction with its audit entry, so a long run can be stopped and started again safely.
    """
    from gateway.directory import retention as directory_retention  # noqa: PLC0415 - the directory's own rules

    when = now or datetime.now(UTC)
    report = RetentionReport(as_of=when, dry_run=dry_run)
    steps: tuple[Step, ...] = ("delivered", "awaiting-replay", "dead-letters", "outbox")
    for step in (*steps, "archive", "delete-archived") if directory else steps:
        report.add(step, 0)
    delivered_cutoff, awaiting_cutoff = when - policy.delivered, when - policy.awaiting_replay
    archive_before = when - policy.archived
    try:
        if dry_run:
            with database.engine.connect() as conn:
                report.add("delivered", _count(conn, _due_messages("delivered", delivered_cutoff)))
                report.add("awaiting-replay", _count(conn, _due_messages("awaiting-replay", awaiting_cutoff)))
                report.add("dead-letters", _count(conn, _due_dead_letters(policy, when)))
                rows = select(outbox.c.outbox_id).where(_due_outbox(policy, when))  # type: ignore[arg-type]
                report.add("outbox", _count(conn, rows))
                if directory:
                    report.add("archive", directory_retention.count_due(conn, when.date()))
                    report.add("delete-archived", directory_retention.count_archived_before(conn, archive_before))
            return report
        run = _Run(database, audit, RoutingCopies(), report)
        run.messages("delivered", delivered_cutoff, progress)
        run.messages("awaiting-replay", awaiting_cutoff, progress)
        run.dead_letters(policy, when, progress)
        run.outbox(policy, when, progress)
    except SQLAlchemyError as exc:
        raise StorageError("the retention run failed; run it again (each batch is committed on its own)") from exc
    if directory:

        def archived(count: int) -> None:
            if progress is not None:
                progress("archive", count)

        def deleted(count: int) -> None:
            if progress is not None:
                progress("delete-archived", count)

        report.add(
            "archive", len(directory_retention.archive_due(database.engine, audit, when.date(), progress=archived))
        )
        report.add(
            "delete-archived",
            len(directory_retention.delete_archived(database.engine, audit, archive_before, progress=deleted)),
        )
    logger.info(
        "retention run", extra={"outcome": "dry-run" if dry_run else "applied", "records": sum(report.counts.values())}
    )
    return report
