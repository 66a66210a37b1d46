"""Retention: entries archive at 18 (25 for care leavers who consented); archived entries are deleted later.

Archiving hides an entry from every search and read at once. Deleting removes every row about the child
(on SQLite with ``secure_delete``, so the content is overwritten, not just unlinked). Both run daily from
``ecm-gateway retention run`` (scheduled by cron or a systemd timer, see docs/operators/stores.md); each
batch is audited with the ids it touched, and ``progress`` is told how many each batch did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.directory.consumer import secure_delete
from gateway.directory.records import delete_child
from gateway.errors import StorageError
from gateway.storage.tables import directory_children

__all__ = ["archive_due", "count_archived_before", "count_due", "delete_archived"]

logger = logging.getLogger(__name__)

_BATCH = 1000


def count_due(connection: Connection, on: date) -> int:
    """How many entries :func:`archive_due` would archive ``on`` that day (for dry runs)."""
    children = directory_children.c
    return int(
        connection.execute(
            select(func.count()).where(children.archived_at.is_(None), children.retain_until <= on)
        ).scalar_one()
    )


def count_archived_before(connection: Connection, archived_before: datetime) -> int:
    """How many entries :func:`delete_archived` would delete (for dry runs)."""
    children = directory_children.c
    return int(
        connection.execute(
            select(func.count()).where(children.archived_at.is_not(None), children.archived_at < archived_before)
        ).scalar_one()
    )


def archive_due(
    engine: Engine, audit: AuditLog, on: date, *, progress: Callable[[int], None] | None = None
) -> list[str]:
    """Archive the entries whose ``retain_until`` is on or before ``on``; returns the ids archived."""
    children = directory_children.c
    now = datetime.now(UTC)
    archived: list[str] = []
    try:
        while True:
            with engine.begin() as conn:
                ids = list(
                    conn.execute(
                        select(children.child_id)
                        .where(children.archived_at.is_(None), children.retain_until <= on)
                        .order_by(children.child_id)
                        .limit(_BATCH)
                    ).scalars()
                )
                if not ids:
                    break
                conn.execute(update(directory_children).where(children.child_id.in_(ids)).values(archived_at=now))
                audit.append(
                    conn,
                    AuditEntry.by(
                        SYSTEM_CALLER,
                        "directory.archive",
                        "retention date reached",
                        "archived",
                        query={"on": on},
                        result_ids=ids,
                    ),
                )
                archived.extend(ids)
            if progress is not None:
                progress(len(ids))
    except SQLAlchemyError as exc:
        raise StorageError("archiving the directory failed") from exc
    logger.info("directory entries archived: %s", len(archived), extra={"records": len(archived)})
    return archived


def delete_archived(
    engine: Engine, audit: AuditLog, archived_before: datetime, *, progress: Callable[[int], None] | None = None
) -> list[str]:
    """Delete every row of entries archived before ``archived_before``; returns the ids deleted."""
    children = directory_children.c
    deleted: list[str] = []
    try:
        while True:
            with engine.begin() as conn:
                ids = list(
                    conn.execute(
                        select(children.child_id)
                        .where(children.archived_at.is_not(None), children.archived_at < archived_before)
                        .order_by(children.child_id)
                        .limit(_BATCH)
                    ).scalars()
                )
                if not ids:
                    break
                secure_delete(conn)
                for child_id in ids:
                    delete_child(conn, child_id)
                audit.append(
                    conn,
                    AuditEntry.by(
                        SYSTEM_CALLER,
                        "directory.delete-archived",
                        "archived beyond the retention period",
                        "deleted",
                        query={"archived_before": archived_before.astimezone(UTC).isoformat()},
                        result_ids=ids,
                    ),
                )
                deleted.extend(ids)
            if progress is not None:
                progress(len(ids))
    except SQLAlchemyError as exc:
        raise StorageError("deleting archived directory entries failed") from exc
    logger.info("archived directory entries deleted: %s", len(deleted), extra={"records": len(deleted)})
    return deleted
