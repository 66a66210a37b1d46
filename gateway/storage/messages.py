"""The message store: every received message kept byte for byte with its envelope and outcome.

Receipt is committed before processing starts, so nothing is lost if processing fails; the raw files stay
available for ``ecm-gateway replay`` until the retention policy removes them (``ecm-gateway retention run``)
or a supplier's purge of a child they hold removes them at once — see :mod:`gateway.storage.payloads`. The
envelope and outcome always stay (a tombstone), so the ledger still balances.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import TypeAdapter
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from gateway.errors import StorageError
from gateway.formats import SourceFile
from gateway.model import CanonicalMessage, Envelope, Issue
from gateway.storage.database import Database, EncodedJson
from gateway.storage.payloads import (
    PURGED_RECORD_RULE,
    PayloadCopies,
    RemovalReason,
    index_children,
    messages_holding,
    purge_keys,
    purged_positions,
    record_purges,
    remove_payloads,
)
from gateway.storage.tables import message_files, messages

if TYPE_CHECKING:
    from gateway.audit import AuditLog

__all__ = ["MessageStore", "StoredMessage"]

_ISSUES: TypeAdapter[tuple[Issue, ...]] = TypeAdapter(tuple[Issue, ...])


@dataclass(frozen=True)
class StoredMessage:
    """A message as the store holds it (content stays in the store; this carries no personal data)."""

    envelope: Envelope
    status: str
    file_names: tuple[str, ...]
    record_count: int
    error_count: int
    warning_count: int
    issues: tuple[Issue, ...]
    payload_removed_at: datetime | None = None
    """When the payload (raw files, canonical records) was removed; the message can no longer be replayed."""
    payload_removed_reason: RemovalReason | None = None
    """``retention`` (the retention period ran out) or ``purge`` (a supplier purged a child it holds)."""


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone=True columns; the gateway stores UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class MessageStore:
    """Receipt and outcome of messages, on SQLite or PostgreSQL."""

    def __init__(
        self, database: Database, *, audit: AuditLog | None = None, copies: PayloadCopies | None = None
    ) -> None:
        self._db = database
        self._audit = audit
        self.copies = copies
        """Removes the copies of a payload held outside the message tables (routing's outbox, dead letters)."""

    @property
    def audit(self) -> AuditLog:
        """The audit log that records payload removals (the configured, keyed one when given)."""
        if self._audit is None:
            from gateway.audit import AuditLog  # noqa: PLC0415 - gateway.audit imports the storage tables

            self._audit = AuditLog()
        return self._audit

    def display_url(self) -> str:
        """The database URL with any password masked."""
        return self._db.display_url()

    def receive(self, envelope: Envelope, files: Sequence[tuple[str, bytes]]) -> bool:
        """Store a received message and its raw files; False when this message id was already received.

        A second receipt with the same id and payload is harmless (suppliers retry); the same id with a
        different payload is refused with :class:`StorageError`.
        """
        now = datetime.now(UTC)
        try:
            with self._db.engine.begin() as conn:
                existing = conn.execute(
                    select(messages.c.payload_sha256).where(messages.c.message_id == envelope.message_id)
                ).scalar_one_or_none()
                if existing is not None:
                    if existing != envelope.payload_sha256:
                        raise StorageError("message id reused with a different payload; use a new message id")
                    return False
                conn.execute(
                    insert(messages).values(
                        message_id=envelope.message_id,
                        correlation_id=envelope.correlation_id,
                        supplier_id=envelope.supplier_id,
                        la_code=envelope.la_code,
                        format_id=envelope.format_id,
                        format_version=envelope.format_version,
                        received_at=envelope.received_at,
                        payload_sha256=envelope.payload_sha256,
                        status="received",
                        record_count=0,
                        error_count=0,
                        warning_count=0,
                        issues=[],
                        canonical=None,
                        updated_at=now,
                    )
                )
                conn.execute(
                    insert(message_files),
                    [
                        {
                            "message_id": envelope.message_id,
                            "position": position,
                            "name": name,
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "content": data,
                        }
                        for position, (name, data) in enumerate(files)
                    ],
                )
        except IntegrityError:
            return False  # a concurrent receipt of the same id won the race
        except SQLAlchemyError as exc:
            raise StorageError("could not store the received message") from exc
        return True

    def record_outcome(
        self,
        message: CanonicalMessage,
        status: str,
        *,
        also: Callable[[Connection], object] | None = None,
    ) -> None:
        """Store the canonical form, the issues and the outcome of a processed message.

        ``also`` runs in the same transaction (the outbox writes the message's outgoing events there), so
        the outcome and what it sends are committed together or not at all.
        """
        errors = sum(1 for issue in message.issues if issue.severity == "error")
        warnings = sum(1 for issue in message.issues if issue.severity == "warning")
        try:
            with self._db.engine.begin() as conn:
                if also is not None:
                    also(conn)
                conn.execute(
                    update(messages)
                    .where(messages.c.message_id == message.envelope.message_id)
                    .values(
                        status=status,
                        format_version=message.envelope.format_version,
                        record_count=len(message.records),
                        error_count=errors,
                        warning_count=warnings,
                        issues=EncodedJson(_ISSUES.dump_json(message.issues, exclude_none=True).decode("utf-8")),
                        canonical=EncodedJson(message.model_dump_json(exclude_none=True)),
                        updated_at=datetime.now(UTC),
                    )
                )
                index_children(conn, message)
                if status == "accepted":
                    self._honour_purges(conn, message)
                if any(issue.rule == PURGED_RECORD_RULE for issue in message.issues):
                    self._remove_superseded(conn, message)
        except SQLAlchemyError as exc:
            raise StorageError("could not record the message outcome") from exc

    def _honour_purges(self, conn: Connection, message: CanonicalMessage) -> None:
        """Remove at once the payload of every stored message holding a child this message purges."""
        keys = purge_keys(message)
        if not keys:
            return
        from gateway.access import SYSTEM_CALLER  # noqa: PLC0415 - see audit
        from gateway.audit import AuditEntry  # noqa: PLC0415

        at = datetime.now(UTC)
        record_purges(conn, keys, message.envelope.message_id, at)  # for messages received, not yet processed
        holding = {*messages_holding(conn, keys), message.envelope.message_id}
        removed = remove_payloads(conn, sorted(holding), "purge", at, copies=self.copies)
        purged = sorted({r.child.child_id for r in message.records if r.purge and r.child.child_id})
        self.audit.append(
            conn,
            AuditEntry.by(
                SYSTEM_CALLER,
                "messages.payload-removed",
                "the supplier asked for a child's record to be purged",
                "removed",
                subject=purged[0] if len(purged) == 1 else None,
                query={"message_id": message.envelope.message_id, "reason": "purge"},
                result_ids=removed,
            ),
            at=at,
        )

    def _remove_superseded(self, conn: Connection, message: CanonicalMessage) -> None:
        """Remove the payload of a message that held a child purged after it was received (its records about
        that child were dropped before routing: :func:`gateway.storage.payloads.purged_positions`)."""
        from gateway.access import SYSTEM_CALLER  # noqa: PLC0415 - see audit
        from gateway.audit import AuditEntry  # noqa: PLC0415

        at = datetime.now(UTC)
        removed = remove_payloads(conn, [message.envelope.message_id], "purge", at, copies=self.copies)
        self.audit.append(
            conn,
            AuditEntry.by(
                SYSTEM_CALLER,
                "messages.payload-removed",
                "the message holds a child purged after it was received",
                "removed" if removed else "already-removed",
                query={"message_id": message.envelope.message_id, "reason": "purge"},
                result_ids=removed,
            ),
            at=at,
        )

    def purged_positions(self, message: CanonicalMessage) -> list[int]:
        """Positions of ``message``'s records about a child purged after it was received (see
        :func:`gateway.storage.payloads.purged_positions`): they must not be matched, routed or delivered."""
        try:
            with self._db.engine.connect() as conn:
                return purged_positions(conn, message)
        except SQLAlchemyError as exc:
            raise StorageError("could not read the purge tombstones") from exc

    def get(self, message_id: str) -> StoredMessage | None:
        """The stored message, or ``None``."""
        with self._db.engine.connect() as conn:
            row = conn.execute(select(messages).where(messages.c.message_id == message_id)).mappings().first()
            if row is None:
                return None
            names = conn.execute(
                select(message_files.c.name)
                .where(message_files.c.message_id == message_id)
                .order_by(message_files.c.position)
            ).scalars()
            return StoredMessage(
                envelope=Envelope(
                    message_id=row["message_id"],
                    correlation_id=row["correlation_id"],
                    supplier_id=row["supplier_id"],
                    la_code=row["la_code"],
                    format_id=row["format_id"],
                    format_version=row["format_version"],
                    received_at=_aware(row["received_at"]),
                    payload_sha256=row["payload_sha256"],
                ),
                status=row["status"],
                file_names=tuple(names),
                record_count=row["record_count"],
                error_count=row["error_count"],
                warning_count=row["warning_count"],
                issues=tuple(Issue.model_validate(item) for item in row["issues"]),
                payload_removed_at=_aware(row["payload_removed_at"]) if row["payload_removed_at"] else None,
                payload_removed_reason=row["payload_removed_reason"],
            )

    def files(self, message_id: str) -> list[SourceFile]:
        """The raw files of a message, byte for byte as received (for replay)."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(
                select(message_files.c.name, message_files.c.content)
                .where(message_files.c.message_id == message_id)
                .order_by(message_files.c.position)
            ).all()
        return [SourceFile(name=name, data=bytes(content)) for name, content in rows]

    def count_by_status(self) -> dict[str, int]:
        """How many messages are in each status."""
        with self._db.engine.connect() as conn:
            rows = conn.execute(select(messages.c.status, func.count()).group_by(messages.c.status)).all()
        return {status: count for status, count in rows}

    def canonical(self, message_id: str) -> CanonicalMessage | None:
        """The stored canonical form of a processed message (``None`` before processing)."""
        with self._db.engine.connect() as conn:
            data = conn.execute(
                select(messages.c.canonical).where(messages.c.message_id == message_id)
            ).scalar_one_or_none()
        return CanonicalMessage.model_validate(data) if data is not None else None

    def status(self, message_id: str) -> str | None:
        """The message's status (``received``, ``accepted``, ``rejected``), or ``None`` if unknown."""
        with self._db.engine.connect() as conn:
            return conn.execute(
                select(messages.c.status).where(messages.c.message_id == message_id)
            ).scalar_one_or_none()

    def find(
        self,
        *,
        message_ids: Sequence[str] = (),
        supplier_id: str | None = None,
        received_from: datetime | None = None,
        received_before: datetime | None = None,
        statuses: Sequence[str] = (),
        rule: str | None = None,
    ) -> list[str]:
        """Ids of stored messages matching every given criterion, oldest first (for replay).

        ``rule`` keeps messages whose stored issues include that rule id.
        """
        query = select(messages.c.message_id, messages.c.issues).order_by(messages.c.received_at, messages.c.message_id)
        if message_ids:
            query = query.where(messages.c.message_id.in_(list(message_ids)))
        if supplier_id is not None:
            query = query.where(messages.c.supplier_id == supplier_id)
        if received_from is not None:
            query = query.where(messages.c.received_at >= received_from)
        if received_before is not None:
            query = query.where(messages.c.received_at < received_before)
        if statuses:
            query = query.where(messages.c.status.in_(list(statuses)))
        with self._db.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            message_id
            for message_id, issues in rows
            if rule is None or any(item.get("rule") == rule for item in issues)
        ]
