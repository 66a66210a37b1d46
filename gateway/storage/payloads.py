"""Payload retention in the message store: which children a message holds, and removing a payload while
keeping its tombstone.

A message's *payload* is everything that holds content: its raw files (``message_files``), its canonical
form (``messages.canonical``) and the issues' council child ids. Removing it keeps the ``messages`` row as a
**tombstone** — message id, supplier, LA, format, receipt time, payload SHA-256, outcome, record and issue
counts, the issues without their child references, and when and why the payload went — so the ledger still
balances and anyone can still be told what happened to the message, but nothing about a child is left.

Copies of the payload held outside the message tables (sent outbox rows, dead letters) are removed by a
:class:`PayloadCopies` the composition root passes in (routing's, :mod:`gateway.routing.retention`), in the
same transaction.

A purge (``ChildRecord.purge`` in an accepted message) removes at once the payload of every stored message
that holds that child — found through ``message_children`` by the gateway child id and by digests of the
council's child ids, never by identifiers in clear. A message holding several children loses its whole
payload (raw files cannot be cut child by child): the other children's records are already in the stores,
and only a replay of that message is no longer possible.

A message received but not yet processed is not in the index (its records are known only once it is read).
So a purge also leaves a tombstone per child key (``message_purges``: the key and when the purge was honoured,
digests only), and processing checks it (:func:`purged_positions`): a record about a child purged *after* its
message was received is dropped before identity resolution and routing (:func:`without_records`), as if the
purge had found the message, and the message's payload is then removed like the others'. A message received
after the purge is the supplier sending the child again, and goes through.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol

import orjson
from sqlalchemy import Connection, bindparam, delete, insert, select, text, update

from gateway.model import CanonicalMessage, ChildRecord, Envelope, Issue
from gateway.storage.database import EncodedJson
from gateway.storage.tables import message_children, message_files, message_purges, messages

__all__ = [
    "PURGED_RECORD_RULE",
    "PayloadCopies",
    "RemovalReason",
    "child_keys",
    "index_children",
    "messages_holding",
    "purge_keys",
    "purged_positions",
    "record_purges",
    "remove_payloads",
    "without_records",
]

RemovalReason = Literal["retention", "purge"]

_MAX_KEY = 128
_CHUNK = 500
_RECORD_PATH = re.compile(r"^/records/(\d+)(/.*)?$")

PURGED_RECORD_RULE: Final = "purge/record-purged"
"""The rule id of the warning that says a record was dropped because its child was purged after receipt."""


class PayloadCopies(Protocol):
    """Removes the copies of messages' payloads held outside the message tables, in the caller's transaction."""

    def remove(self, connection: Connection, message_ids: Sequence[str], reason: RemovalReason, at: datetime) -> None:
        """Remove (or empty) every copy of these messages' payloads."""
        ...


def _local_key(la_code: str, la_child_id: str) -> str:
    return "lc-" + hashlib.sha256(f"{la_code}\x00{la_child_id}".encode()).hexdigest()[:32]


def child_keys(record: ChildRecord) -> set[str]:
    """The keys a record is indexed by: its gateway child id (as routing bounds it) and a digest per council
    id (LA number + LA child id) — the latter equal to routing's provisional subject for that council id."""
    keys: set[str] = set()
    child_id = record.child.child_id
    if child_id:
        keys.add(child_id if len(child_id) <= _MAX_KEY else f"sha256:{hashlib.sha256(child_id.encode()).hexdigest()}")
    keys.update(_local_key(local.la_code, local.la_child_id) for local in record.child.local_ids)
    return keys


def purge_keys(message: CanonicalMessage) -> set[str]:
    """The keys of every record the message asks to purge."""
    keys: set[str] = set()
    for record in message.records:
        if record.purge:
            keys |= child_keys(record)
    return keys


def index_children(connection: Connection, message: CanonicalMessage) -> None:
    """(Re)write the index of the children ``message`` holds, in the caller's transaction."""
    message_id = message.envelope.message_id
    connection.execute(delete(message_children).where(message_children.c.message_id == message_id))
    keys: set[str] = set()
    for record in message.records:
        keys |= child_keys(record)
    if not keys:
        return
    ordered = sorted(keys)
    # One statement with one array parameter: a multi-row insert costs tens of microseconds per row.
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_PG, {"message_id": message_id, "keys": ordered})
    elif connection.dialect.name == "sqlite":
        connection.execute(_INSERT_SQLITE, {"message_id": message_id, "keys": orjson.dumps(ordered).decode()})
    else:
        connection.execute(insert(message_children), [{"message_id": message_id, "child_key": k} for k in ordered])


_INSERT_PG = text(
    "INSERT INTO message_children (message_id, child_key) SELECT :message_id, unnest(CAST(:keys AS VARCHAR[]))"
)
_INSERT_SQLITE = text(
    "INSERT INTO message_children (message_id, child_key) SELECT :message_id, value FROM json_each(:keys)"
)


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def messages_holding(connection: Connection, keys: Iterable[str]) -> list[str]:
    """Ids of the messages whose payload still holds a child with any of ``keys``."""
    found: set[str] = set()
    for chunk in _chunks(keys):
        found.update(
            connection.execute(
                select(message_children.c.message_id).where(message_children.c.child_key.in_(chunk)).distinct()
            ).scalars()
        )
    return sorted(found)


def _without_child_refs(issues: Any) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in item.items() if key != "child"}
        for item in (issues or [])
        if isinstance(item, dict)
    ]


def _envelope(row: Any) -> Envelope:
    received_at = row.received_at if row.received_at.tzinfo is not None else row.received_at.replace(tzinfo=UTC)
    return Envelope(
        message_id=row.message_id,
        correlation_id=row.correlation_id,
        supplier_id=row.supplier_id,
        la_code=row.la_code,
        format_id=row.format_id,
        format_version=row.format_version,
        received_at=received_at,
        payload_sha256=row.payload_sha256,
    )


def _tombstone(row: Any, issues: list[dict[str, Any]]) -> str:
    """The canonical form a tombstone keeps: the envelope and the issues, no records."""
    kept = CanonicalMessage(envelope=_envelope(row), issues=tuple(Issue.model_validate(item) for item in issues))
    return kept.model_dump_json(exclude_none=True)


def remove_payloads(
    connection: Connection,
    message_ids: Sequence[str],
    reason: RemovalReason,
    at: datetime,
    *,
    copies: PayloadCopies | None = None,
) -> list[str]:
    """Remove the payload of each message (already removed ones are skipped); returns the ids removed now.

    Runs in the caller's transaction. On SQLite the freed pages are overwritten (``secure_delete``).
    """
    if connection.dialect.name == "sqlite":
        connection.execute(text("PRAGMA secure_delete = ON"))
    removed: list[str] = []
    columns = messages.c
    for chunk in _chunks(message_ids):
        rows = connection.execute(
            select(
                columns.message_id,
                columns.correlation_id,
                columns.supplier_id,
                columns.la_code,
                columns.format_id,
                columns.format_version,
                columns.received_at,
                columns.payload_sha256,
                columns.issues,
            ).where(columns.message_id.in_(chunk), columns.payload_removed_at.is_(None))
        ).all()
        if not rows:
            continue
        ids = [row.message_id for row in rows]
        updates = []
        for row in rows:
            issues = _without_child_refs(row.issues)
            updates.append(
                {"b_message_id": row.message_id, "issues": issues, "canonical": EncodedJson(_tombstone(row, issues))}
            )
        connection.execute(
            update(messages)
            .where(columns.message_id == bindparam("b_message_id"))
            .values(
                issues=bindparam("issues", type_=columns.issues.type),
                canonical=bindparam("canonical", type_=columns.canonical.type),
                payload_removed_at=at,
                payload_removed_reason=reason,
                updated_at=at,
            ),
            updates,
        )
        connection.execute(delete(message_files).where(message_files.c.message_id.in_(ids)))
        connection.execute(delete(message_children).where(message_children.c.message_id.in_(ids)))
        removed.extend(ids)
    if removed and copies is not None:
        copies.remove(connection, removed, reason, at)
    return removed


def record_purges(connection: Connection, keys: Iterable[str], message_id: str, at: datetime) -> None:
    """Keep a purge tombstone for each key (the latest purge wins), in the caller's transaction."""
    for chunk in _chunks(keys):
        found = set(
            connection.execute(
                select(message_purges.c.child_key).where(message_purges.c.child_key.in_(chunk))
            ).scalars()
        )
        new = [{"child_key": key, "purged_at": at, "message_id": message_id} for key in chunk if key not in found]
        if new:
            connection.execute(insert(message_purges), new)
        if found:
            connection.execute(
                update(message_purges)
                .where(message_purges.c.child_key.in_(sorted(found)), message_purges.c.purged_at < at)
                .values(purged_at=at, message_id=message_id)
            )


def purged_positions(connection: Connection, message: CanonicalMessage) -> list[int]:
    """Positions of the records (purge requests aside) about a child purged after ``message`` was received."""
    wanted = {position: child_keys(record) for position, record in enumerate(message.records) if not record.purge}
    received = message.envelope.received_at
    purged: set[str] = set()
    for chunk in _chunks(key for keys in wanted.values() for key in keys):
        rows = connection.execute(
            select(message_purges.c.child_key, message_purges.c.purged_at).where(message_purges.c.child_key.in_(chunk))
        )
        purged.update(key for key, at in rows if (at if at.tzinfo else at.replace(tzinfo=UTC)) > received)
    return sorted(position for position, keys in wanted.items() if keys & purged)


def _renumbered(issue: Issue, dropped: Collection[int]) -> Issue:
    found = _RECORD_PATH.match(issue.canonical_path or "")
    if found is None:
        return issue
    position = int(found.group(1))
    if position in dropped:  # about a record that is gone: no path into it, no council child id
        return issue.model_copy(update={"canonical_path": None, "child": None})
    shift = sum(1 for gone in dropped if gone < position)
    return issue.model_copy(update={"canonical_path": f"/records/{position - shift}{found.group(2) or ''}"})


def without_records(message: CanonicalMessage, positions: Collection[int]) -> CanonicalMessage:
    """``message`` without the records at ``positions`` (their child was purged after receipt): a warning
    (:data:`PURGED_RECORD_RULE`) for each, the other issues' record paths renumbered."""
    dropped = frozenset(positions)
    if not dropped:
        return message
    records = tuple(record for position, record in enumerate(message.records) if position not in dropped)
    warnings = tuple(
        Issue(
            rule=PURGED_RECORD_RULE,
            severity="warning",
            message=(
                f"record {position + 1}: the council purged this child after the message was received, so the "
                "record was not processed and the message's payload was removed; send the child again if it "
                "should be in the system"
            ),
        )
        for position in sorted(dropped)
    )
    issues = (*(_renumbered(issue, dropped) for issue in message.issues), *warnings)
    return message.model_copy(update={"records": records, "issues": issues})
