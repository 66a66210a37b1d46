"""Purging a child from the match index, when a supplier flags its record for purging.

The directory deletes the child's entry; the match index must forget the child too, or its identity (names,
birth date, identifiers, blocking keys) would outlive the purge and a new record would still be matched —
and linked — to it. Every record linked to the child goes, with its blocking keys, the reviews that pair it
with another record and the remembered non-matches naming it. The append-only decision log keeps its rows
(ids, who decided and why — never identity values) as the audit trail of what people decided.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy import Connection, delete, or_, select, text

from gateway.access import SYSTEM_CALLER
from gateway.audit import AuditEntry, AuditLog
from gateway.inbox import in_lists
from gateway.storage.tables import match_blocking_keys, match_identities, match_non_matches, match_reviews

__all__ = ["forget"]

log = logging.getLogger(__name__)


def forget(
    connection: Connection, audit: AuditLog, *, child_ids: Collection[str], record_ids: Collection[str] = ()
) -> tuple[list[str], list[str]]:
    """Delete every record of ``child_ids`` (and the ``record_ids`` themselves) from the match index, in the
    caller's transaction; audited (child and record ids only). Returns the record ids forgotten, and the
    records left *orphaned*: pending, their only possible duplicates purged, so no review is left to decide
    them (the caller makes each a new child and releases it)."""
    columns = match_identities.c
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))  # deleted identities are overwritten
    found: set[str] = set()
    for chunk in in_lists(child_ids):
        found.update(connection.execute(select(columns.record_id).where(columns.child_id.in_(chunk))).scalars())
    for chunk in in_lists(record_ids):
        found.update(connection.execute(select(columns.record_id).where(columns.record_id.in_(chunk))).scalars())
    reviews, pairs = match_reviews.c, match_non_matches.c
    waiting: set[str] = set()  # records awaiting a person's review against a record that goes now
    for chunk in in_lists(found):
        waiting.update(
            connection.execute(
                select(reviews.record_id).where(reviews.candidate_id.in_(chunk), reviews.status == "open")
            ).scalars()
        )
    for chunk in in_lists(found):
        either = or_(reviews.record_id.in_(chunk), reviews.candidate_id.in_(chunk))
        connection.execute(delete(match_reviews).where(either))
        connection.execute(delete(match_non_matches).where(or_(pairs.record_a.in_(chunk), pairs.record_b.in_(chunk))))
        connection.execute(delete(match_blocking_keys).where(match_blocking_keys.c.record_id.in_(chunk)))
        connection.execute(delete(match_identities).where(columns.record_id.in_(chunk)))
    if child_ids or found:
        audit.append(
            connection,
            AuditEntry.by(
                SYSTEM_CALLER,
                "match.purge",
                "the supplier asked for the record to be purged",
                "forgotten" if found else "not-found",
                subject=min(child_ids) if len(child_ids) == 1 else None,
                query={"child_ids": sorted(child_ids)},
                result_ids=sorted(found),
            ),
        )
    if found:
        log.info("child purged from the match index", extra={"records": len(found)})
    return sorted(found), _orphaned(connection, waiting - found)


def _orphaned(connection: Connection, record_ids: Collection[str]) -> list[str]:
    """Of ``record_ids``, those still pending with no open review left: nobody would ever decide them."""
    columns, reviews = match_identities.c, match_reviews.c
    left: list[str] = []
    for chunk in in_lists(record_ids):
        pending = set(
            connection.execute(
                select(columns.record_id).where(columns.record_id.in_(chunk), columns.status == "pending")
            ).scalars()
        )
        still_open = set(
            connection.execute(
                select(reviews.record_id).where(reviews.record_id.in_(chunk), reviews.status == "open")
            ).scalars()
        )
        left.extend(sorted(pending - still_open))
    return left
