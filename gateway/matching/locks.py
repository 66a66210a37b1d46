"""Serialising identity resolution, so that two messages about the same new child cannot both create it.

Resolving a record reads its candidates and then writes (a link, a new child, a review). Two transactions
doing that at once for the same child would each read "no candidate" and each create a child. Two records
can only meet through a blocking key they share (a key one stores, the other looks up), so a resolve first
locks every key it stores or looks up, and the record's own id, until its transaction ends:

* **PostgreSQL** — transaction-scoped advisory locks (``pg_advisory_xact_lock``) on 64-bit digests of the
  keys, taken in ascending order in one statement (a fixed order, so two resolves cannot deadlock).
  Resolves of unrelated children share no key and run in parallel; a digest collision only makes two
  resolves wait for each other.
* **SQLite** — one writer at a time: the transaction takes the database's write lock before it reads
  (a no-op update), waiting up to the connection's busy timeout.

Once a resolve holds its locks, it reads with a fresh snapshot (PostgreSQL's READ COMMITTED takes one per
statement), so it sees the child the other transaction has just created and links to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, false, text, update

from gateway.storage.tables import match_identities

__all__ = ["lock_for_resolution", "lock_id"]

_NAMESPACE = b"ecm-gateway/match\x00"
_ADVISORY = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:ids AS bigint[])) AS k")


def lock_id(key: str) -> int:
    """The signed 64-bit advisory lock id of a blocking key or record id."""
    digest = hashlib.blake2b(_NAMESPACE + key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_for_resolution(connection: Connection, keys: Iterable[str]) -> None:
    """Hold, until ``connection``'s transaction ends, the locks that serialise resolves sharing any of ``keys``.

    Call it first in the transaction, before reading candidates.
    """
    if connection.dialect.name == "postgresql":
        ids = sorted({lock_id(key) for key in keys})
        if ids:
            connection.execute(_ADVISORY, {"ids": ids})
        return
    connection.execute(update(match_identities).where(false()).values(status=match_identities.c.status))
