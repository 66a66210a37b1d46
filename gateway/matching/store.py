"""The SQL candidate index: identities and blocking keys in tables beside the directory (SQLite or
PostgreSQL, same code). Looking one record up is one indexed query over its blocking keys, however large the
directory grows; blocks larger than ``max_block`` are skipped inside the query.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StorageError
from gateway.matching.blocking import index_keys
from gateway.matching.features import PreparedRecord, prepare
from gateway.matching.index import DEFAULT_MAX_BLOCK
from gateway.matching.names import NicknameTable, load_nicknames
from gateway.matching.record import IdentityRecord, identity_from_dict, identity_to_dict
from gateway.storage.database import Database
from gateway.storage.tables import match_blocking_keys, match_identities

__all__ = ["IndexWrite", "SqlIndex"]

_CHUNK = 500  # keys per IN (...) list


@dataclass(frozen=True, slots=True)
class IndexWrite:
    """One record to store: its identity, child id and status, and whether a row for it exists already."""

    record: PreparedRecord
    child_id: str | None
    status: str
    exists: bool


class SqlIndex:
    """A :class:`~gateway.matching.index.CandidateIndex` on the gateway's database.

    Methods take an optional ``connection`` so that callers can put an index change in the same transaction
    as their own (the review queue does); without one, each call is its own transaction.
    """

    def __init__(
        self, database: Database, *, nicknames: NicknameTable | None = None, cache_size: int = 200_000
    ) -> None:
        self._db = database
        self._nicknames = nicknames or load_nicknames()
        self._cache: dict[tuple[str, datetime], PreparedRecord] = {}
        """Prepared records by (record id, updated_at): a row changed by any process is prepared afresh."""
        self._cache_size = cache_size

    @contextmanager
    def _connection(self, connection: Connection | None) -> Iterator[Connection]:
        if connection is not None:
            yield connection
            return
        try:
            with self._db.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError("the match index could not be read or written") from exc

    def __len__(self) -> int:
        with self._connection(None) as conn:
            return int(conn.execute(select(func.count()).select_from(match_identities)).scalar_one())

    def add(
        self,
        record: PreparedRecord,
        *,
        connection: Connection | None = None,
        child_id: str | None = None,
        status: str = "linked",
        exists: bool | None = None,
    ) -> None:
        """Store (or replace) a record's identity and blocking keys (``exists``: whether the caller already
        knows the record is stored; ``None`` looks it up)."""
        now = datetime.now(UTC)
        record_id = record.record_id
        with self._connection(connection) as conn:
            if exists is None:
                exists = (
                    conn.execute(
                        select(match_identities.c.record_id).where(match_identities.c.record_id == record_id)
                    ).first()
                    is not None
                )
            identity = identity_to_dict(record.record)
            if exists:
                conn.execute(
                    update(match_identities)
                    .where(match_identities.c.record_id == record_id)
                    .values(identity=identity, child_id=child_id, status=status, updated_at=now)
                )
                conn.execute(delete(match_blocking_keys).where(match_blocking_keys.c.record_id == record_id))
            else:
                conn.execute(
                    insert(match_identities).values(
                        record_id=record_id,
                        child_id=child_id,
                        status=status,
                        identity=identity,
                        created_at=now,
                        updated_at=now,
                    )
                )
            keys = index_keys(record)
            if keys:
                conn.execute(insert(match_blocking_keys), [{"block_key": k, "record_id": record_id} for k in keys])

    def write_many(self, connection: Connection, entries: Sequence[IndexWrite]) -> None:
        """Store (or replace) several records' identities and blocking keys in the caller's transaction, in a
        constant number of statements (the review queue buffers a batch's writes and flushes them here)."""
        if not entries:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "record_id": e.record.record_id,
                "child_id": e.child_id,
                "status": e.status,
                "identity": identity_to_dict(e.record.record),
                "updated_at": now,
            }
            for e in entries
        ]
        new = [{**row, "created_at": now} for row, e in zip(rows, entries, strict=True) if not e.exists]
        known = [{**row, "b_record_id": row["record_id"]} for row, e in zip(rows, entries, strict=True) if e.exists]
        if new:
            connection.execute(insert(match_identities), new)
        if known:
            columns = ("child_id", "status", "identity", "updated_at")
            values = {name: bindparam(name, type_=match_identities.c[name].type) for name in columns}
            connection.execute(
                update(match_identities).where(match_identities.c.record_id == bindparam("b_record_id")).values(values),
                known,
            )
            for start in range(0, len(known), _CHUNK):
                ids = [row["record_id"] for row in known[start : start + _CHUNK]]
                connection.execute(delete(match_blocking_keys).where(match_blocking_keys.c.record_id.in_(ids)))
        keys = [{"block_key": k, "record_id": e.record.record_id} for e in entries for k in index_keys(e.record)]
        for start in range(0, len(keys), 10_000):
            connection.execute(insert(match_blocking_keys), keys[start : start + 10_000])

    def add_many(self, records: Sequence[PreparedRecord], *, child_ids: Sequence[str | None] | None = None) -> None:
        """Bulk-load new records (one transaction; for migrations and benchmarks). Ids must not exist yet."""
        now = datetime.now(UTC)
        children = child_ids if child_ids is not None else [None] * len(records)
        with self._connection(None) as conn:
            conn.execute(
                insert(match_identities),
                [
                    {
                        "record_id": r.record_id,
                        "child_id": child,
                        "status": "linked",
                        "identity": identity_to_dict(r.record),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for r, child in zip(records, children, strict=True)
                ],
            )
            keys = [{"block_key": k, "record_id": r.record_id} for r in records for k in index_keys(r)]
            for start in range(0, len(keys), 10_000):
                conn.execute(insert(match_blocking_keys), keys[start : start + 10_000])

    def remove(self, record_id: str, *, connection: Connection | None = None) -> None:
        """Forget a record and its keys."""
        with self._connection(connection) as conn:
            conn.execute(delete(match_blocking_keys).where(match_blocking_keys.c.record_id == record_id))
            conn.execute(delete(match_identities).where(match_identities.c.record_id == record_id))

    def get(self, record_id: str, *, connection: Connection | None = None) -> IdentityRecord | None:
        """The stored identity of one record."""
        with self._connection(connection) as conn:
            row = conn.execute(
                select(match_identities.c.identity).where(match_identities.c.record_id == record_id)
            ).first()
        return identity_from_dict(row.identity) if row else None

    def candidates(
        self, keys: Sequence[str], *, max_block: int = DEFAULT_MAX_BLOCK, connection: Connection | None = None
    ) -> list[PreparedRecord]:
        """Records sharing any of ``keys`` (blocks over ``max_block`` skipped), prepared for comparison."""
        if not keys:
            return []
        found: dict[str, PreparedRecord] = {}
        with self._connection(connection) as conn:
            for start in range(0, len(keys), _CHUNK):
                chunk = list(keys[start : start + _CHUNK])
                small_blocks = (
                    select(match_blocking_keys.c.block_key)
                    .where(match_blocking_keys.c.block_key.in_(chunk))
                    .group_by(match_blocking_keys.c.block_key)
                    .having(func.count() <= max_block)
                )
                members = select(match_blocking_keys.c.record_id).where(
                    match_blocking_keys.c.block_key.in_(small_blocks)
                )
                rows = conn.execute(
                    select(match_identities.c.record_id, match_identities.c.updated_at).where(
                        match_identities.c.record_id.in_(members)
                    )
                )
                missing: list[tuple[str, datetime]] = []
                for row in rows:
                    cached = self._cache.get((row.record_id, row.updated_at))
                    if cached is not None:
                        found[row.record_id] = cached
                    elif row.record_id not in found:
                        missing.append((row.record_id, row.updated_at))
                if missing:
                    stamps = dict(missing)
                    for row in conn.execute(
                        select(match_identities.c.record_id, match_identities.c.identity).where(
                            match_identities.c.record_id.in_(list(stamps))
                        )
                    ):
                        record = prepare(identity_from_dict(row.identity), self._nicknames)
                        found[row.record_id] = record
                        self._remember(row.record_id, stamps[row.record_id], record)
        return list(found.values())

    def _remember(self, record_id: str, updated_at: datetime, record: PreparedRecord) -> None:
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))  # oldest first
        self._cache[(record_id, updated_at)] = record
