"""The audit log: append-only and tamper-evident (a hash chain with a signed head).

Every read of a store (directory search, view, break glass; CAF read, export) and every change it makes is
recorded with *who* (user and organisation), *what* (the action), *why* (the stated purpose or reason),
the *outcome*, the query parameters and the ids returned — never the content returned. The entry is
written in the same database transaction as the action, so an action without its audit entry cannot be
committed (and a failure to audit fails the action).

How tampering shows (``verify``):

* each entry stores ``hash = H(prev_hash, entry)`` where ``H`` is SHA-256, or HMAC-SHA256 when the log has
  a key. An **edited** entry no longer matches its own hash;
* entries are numbered ``seq = 1, 2, 3 ...`` with no gaps: a **deleted** entry leaves a gap;
* each entry names its predecessor's hash: entries **reordered** (or removed and renumbered) no longer
  follow one another;
* the head row keeps the last ``seq`` and ``hash`` (updated in the same transaction as each append, and
  MAC-signed when there is a key): a **truncated** log ends before its head.

Without a key, someone able to rewrite the whole table can also recompute every hash and the head; with
a key held outside the database (``AuditLog(key=...)``) they cannot. Independently of the key, operators
can take :meth:`AuditLog.checkpoint` values off the machine (a ticket, a log archive) and pass them back to
:meth:`AuditLog.verify`, which then also proves the log still extends each checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import orjson
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import NoResultFound, SQLAlchemyError

from gateway.access import Caller
from gateway.errors import StorageError
from gateway.storage.tables import audit_head, audit_log

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditLog",
    "AuditProblem",
    "AuditReport",
    "Checkpoint",
    "ProblemKind",
    "StoredAuditEntry",
]

GENESIS_HASH: Final = "0" * 64
"""The ``prev_hash`` of the first entry (and the head's hash while the log is empty)."""

ProblemKind = Literal["edited", "deleted", "out-of-order", "truncated", "head-mismatch", "head-tampered", "checkpoint"]

QueryValue = str | int | bool | None | list[str]


def _jsonable(value: object) -> QueryValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class AuditEntry:
    """One audited action. ``query`` holds the parameters asked with; ``result_ids`` the ids returned."""

    actor_user: str
    actor_org: str
    action: str
    reason: str
    outcome: str
    subject: str | None = None
    query: Mapping[str, object] = field(default_factory=dict)
    result_ids: Sequence[str] = ()

    @classmethod
    def by(cls, caller: Caller, action: str, reason: str, outcome: str, **fields: Any) -> AuditEntry:
        """An entry for an action by ``caller``."""
        return cls(caller.user_id, caller.organisation_code, action, reason, outcome, **fields)

    def content(self, at: datetime) -> dict[str, Any]:
        """The hashed content: every field, JSON-safe, with the time in UTC to the microsecond."""
        return {
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_user": self.actor_user,
            "actor_org": self.actor_org,
            "action": self.action,
            "reason": self.reason[:500],
            "outcome": self.outcome,
            "subject": self.subject,
            "query": {str(key): _jsonable(value) for key, value in self.query.items() if value is not None},
            "result_ids": [str(item) for item in self.result_ids],
        }


@dataclass(frozen=True)
class StoredAuditEntry:
    """An entry as stored, with its place in the chain."""

    seq: int
    at: datetime
    entry: AuditEntry
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    """The chain's position at one moment: keep it outside the database to prove nothing was cut later."""

    seq: int
    hash: str


@dataclass(frozen=True)
class AuditProblem:
    """Where the chain is broken and how."""

    kind: ProblemKind
    seq: int
    detail: str


@dataclass(frozen=True)
class AuditReport:
    """The result of :meth:`AuditLog.verify`."""

    checked: int
    last_seq: int
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _aware(value: datetime) -> datetime:
    # SQLite gives back naive datetimes for timezone-aware columns; the log writes UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _canonical(content: Mapping[str, Any]) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


class AuditLog:
    """Appends to and verifies the audit hash chain. ``key`` (bytes kept outside the database) signs it."""

    def __init__(
        self, key: bytes | None = None, *, previous_keys: Sequence[bytes] = (), unkeyed_through: int = 0
    ) -> None:
        """``key`` signs new entries. For verifying only: ``previous_keys`` signed older entries (key rotation),
        and entries up to ``unkeyed_through`` were written before any key was set (plain SHA-256). Both
        older segments stay bound by the first entry signed after them, whose hash covers their last hash.
        """
        self._key = key
        self._verify_keys: tuple[bytes | None, ...] = (key, *previous_keys) if key is not None else (None,)
        self._unkeyed_through = unkeyed_through if key is not None else 0

    def _digest(self, prev_hash: str, content: Mapping[str, Any], key: bytes | None = None) -> str:
        data = prev_hash.encode("ascii") + b"\n" + _canonical(content)
        key = self._key if key is None else key
        if key is None:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(key, data, hashlib.sha256).hexdigest()

    def _matches(self, seq: int, prev_hash: str, content: Mapping[str, Any], digest: str) -> bool:
        """True when ``digest`` is the entry's hash under a key that may have signed entry ``seq``."""
        data = prev_hash.encode("ascii") + b"\n" + _canonical(content)
        candidates = [
            hmac.new(key, data, hashlib.sha256).hexdigest() if key is not None else hashlib.sha256(data).hexdigest()
            for key in self._verify_keys
        ]
        if seq <= self._unkeyed_through:
            candidates.append(hashlib.sha256(data).hexdigest())
        return any(hmac.compare_digest(candidate, digest) for candidate in candidates)

    def _mac(self, seq: int, digest: str, key: bytes | None = None) -> str | None:
        key = self._key if key is None else key
        if key is None:
            return None
        return hmac.new(key, f"audit-head:{seq}:{digest}".encode("ascii"), hashlib.sha256).hexdigest()

    def append(self, connection: Connection, entry: AuditEntry, *, at: datetime | None = None) -> int:
        """Append ``entry`` inside the caller's transaction; returns its sequence number.

        The head row is updated first, which serialises concurrent appenders on its row lock (PostgreSQL)
        or the database write lock (SQLite). Raises :class:`StorageError` when the log cannot be written;
        the caller's transaction must then not commit.
        """
        when = _aware(at or datetime.now(UTC))
        content = entry.content(when)
        try:
            seq, prev_hash = connection.execute(
                update(audit_head)
                .where(audit_head.c.id == 1)
                .values(seq=audit_head.c.seq + 1)
                .returning(audit_head.c.seq, audit_head.c.hash)
            ).one()
            digest = self._digest(prev_hash, content)
            connection.execute(
                insert(audit_log).values(
                    seq=seq,
                    at=when,
                    actor_user=content["actor_user"],
                    actor_org=content["actor_org"],
                    action=content["action"],
                    reason=content["reason"],
                    outcome=content["outcome"],
                    subject=content["subject"],
                    query=content["query"],
                    result_ids=content["result_ids"],
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            connection.execute(
                update(audit_head).where(audit_head.c.id == 1).values(hash=digest, mac=self._mac(seq, digest))
            )
        except NoResultFound as exc:
            raise StorageError("the audit log has no head row; nothing can be audited, so nothing is done") from exc
        except SQLAlchemyError as exc:
            raise StorageError("could not write the audit log") from exc
        return int(seq)

    def checkpoint(self, engine: Engine) -> Checkpoint:
        """The current head, to be kept somewhere the database's administrators cannot change."""
        with engine.connect() as conn:
            row = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
        return Checkpoint(seq=int(row.seq), hash=row.hash)

    def entries(
        self, engine: Engine, *, subject: str | None = None, after: int = 0, limit: int = 100
    ) -> list[StoredAuditEntry]:
        """Stored entries in order (optionally about one ``subject``), for operators and auditors."""
        query = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with engine.connect() as conn:
            return [_stored(row) for row in conn.execute(query).mappings()]

    def verify(self, engine: Engine, *, checkpoints: Iterable[Checkpoint] = ()) -> AuditReport:
        """Walk the whole chain and report every edited, deleted, reordered or truncated entry, and where."""
        wanted = {checkpoint.seq: checkpoint.hash for checkpoint in checkpoints}
        seen: dict[int, str] = {}
        problems: list[AuditProblem] = []
        prev_hash, expected, checked = GENESIS_HASH, 1, 0
        with engine.connect() as conn:
            head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).mappings().first()
            rows = conn.execution_options(yield_per=2000).execute(select(audit_log).order_by(audit_log.c.seq))
            for row in rows.mappings():
                stored = _stored(row)
                checked += 1
                gap = stored.seq != expected
                if gap:
                    problems.append(
                        AuditProblem("deleted", expected, f"entries {expected}..{stored.seq - 1} are missing")
                    )
                if not self._matches(stored.seq, stored.prev_hash, stored.entry.content(stored.at), stored.hash):
                    problems.append(AuditProblem("edited", stored.seq, "the entry does not match its hash"))
                elif stored.prev_hash != prev_hash and not gap:
                    problems.append(
                        AuditProblem(
                            "out-of-order",
                            stored.seq,
                            f"the entry does not follow entry {stored.seq - 1}: entries were reordered, or one "
                            "was removed or rewritten and the rest renumbered or re-hashed",
                        )
                    )
                if stored.seq in wanted:
                    seen[stored.seq] = stored.hash
                prev_hash, expected = stored.hash, stored.seq + 1
        last = expected - 1
        problems.extend(self._check_head(head, last, prev_hash))
        for seq, digest in sorted(wanted.items()):
            if seq == 0:
                continue
            if seq not in seen:
                if seq > last:
                    problems.append(AuditProblem("truncated", seq, "a checkpoint names an entry past the log's end"))
                else:
                    problems.append(AuditProblem("checkpoint", seq, "a checkpointed entry is missing"))
            elif seen[seq] != digest:
                problems.append(AuditProblem("checkpoint", seq, "the entry differs from the checkpoint taken"))
        return AuditReport(checked=checked, last_seq=last, problems=tuple(problems))

    def _check_head(self, head: Mapping[Any, Any] | None, last: int, last_hash: str) -> list[AuditProblem]:
        if head is None:
            return [AuditProblem("head-tampered", last, "the head row is missing")]
        problems = []
        signed = {self._mac(head["seq"], head["hash"], key) for key in self._verify_keys if key is not None}
        if head["seq"] <= self._unkeyed_through:
            signed.add(None)  # the head was last written before the key was set
        if self._key is not None and head["seq"] > 0 and head["mac"] not in signed:
            problems.append(AuditProblem("head-tampered", head["seq"], "the head's signature does not verify"))
        if head["seq"] > last:
            problems.append(
                AuditProblem("truncated", last + 1, f"the log ends at {last} but its head records {head['seq']}")
            )
        elif head["seq"] < last or head["hash"] != last_hash:
            problems.append(AuditProblem("head-mismatch", last, "the last entry is not the one the head records"))
        return problems


def _stored(row: Mapping[Any, Any]) -> StoredAuditEntry:
    entry = AuditEntry(
        actor_user=row["actor_user"],
        actor_org=row["actor_org"],
        action=row["action"],
        reason=row["reason"],
        outcome=row["outcome"],
        subject=row["subject"],
        query=dict(row["query"]),
        result_ids=tuple(row["result_ids"]),
    )
    return StoredAuditEntry(
        seq=int(row["seq"]), at=_aware(row["at"]), entry=entry, prev_hash=row["prev_hash"], hash=row["hash"]
    )
