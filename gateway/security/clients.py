"""The client registry: supplier systems, their councils and scopes, API keys and public keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.access import Caller
from gateway.audit import AuditEntry, AuditLog
from gateway.errors import ConfigurationError
from gateway.security.scopes import SCOPES, Scope
from gateway.security.tables import api_keys, clients, public_keys
from gateway.storage import Database

__all__ = ["ALLOWED_ALGORITHMS", "Client", "ClientStore", "IssuedKey"]

ALLOWED_ALGORITHMS: Final = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"})
"""Asymmetric algorithms only: ``none`` and the HMAC family can never be registered for a client."""

_CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_KEY_PATTERN = re.compile(r"ecm_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class Client:
    """An authenticated caller: which supplier it is, which councils it may act for, what it may do."""

    client_id: str
    name: str
    supplier_id: str
    la_codes: frozenset[str]
    scopes: frozenset[Scope]
    revoked: bool = False

    def may_submit_for(self, la_code: str) -> bool:
        return la_code in self.la_codes


@dataclass(frozen=True)
class IssuedKey:
    """A newly issued API key. ``token`` is shown once and never stored."""

    key_id: str
    token: str


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class ClientStore:
    """Create, list and revoke clients and their credentials; authenticate API keys."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = _now,
        *,
        audit: AuditLog | None = None,
        operator: Caller | None = None,
    ) -> None:
        """With ``audit`` and ``operator``, every change to the registry is audited (who, what, which client or
        key — never a secret) in the same transaction as the change."""
        self._db = database
        self._clock = clock
        self._audit = audit
        self._operator = operator

    def _audited(self, conn: Connection, action: str, subject: str, **query: object) -> None:
        if self._audit is not None and self._operator is not None:
            entry = AuditEntry.by(
                self._operator, action, "client registry change", "done", subject=subject, query=query
            )
            self._audit.append(conn, entry)

    @property
    def database(self) -> Database:
        return self._db

    def add(
        self, client_id: str, *, name: str, supplier_id: str, la_codes: Sequence[str], scopes: Sequence[Scope]
    ) -> Client:
        """Register a client. Raises :class:`ConfigurationError` for a bad id, LA code or scope, or a duplicate."""
        if not _CLIENT_ID.fullmatch(client_id):
            raise ConfigurationError("client id must be 1-64 lower-case letters, digits, '.', '_' or '-'")
        if not la_codes or any(not (len(code) == 3 and code.isdigit()) for code in la_codes):
            raise ConfigurationError("give at least one three-digit DfE LA number")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise ConfigurationError(f"unknown scopes {unknown}; known: {sorted(SCOPES)}")
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    insert(clients).values(
                        client_id=client_id,
                        name=name,
                        supplier_id=supplier_id,
                        la_codes=sorted(set(la_codes)),
                        scopes=sorted(set(scopes)),
                        created_at=self._clock(),
                        revoked_at=None,
                    )
                )
                self._audited(
                    conn, "clients.add", client_id, la_codes=sorted(set(la_codes)), scopes=sorted(set(scopes))
                )
        except IntegrityError as exc:
            raise ConfigurationError(f"client {client_id!r} already exists") from exc
        client = self.get(client_id)
        assert client is not None  # noqa: S101 - just inserted
        return client

    def get(self, client_id: str) -> Client | None:
        with self._db.engine.connect() as conn:
            row = conn.execute(select(clients).where(clients.c.client_id == client_id)).mappings().first()
        if row is None:
            return None
        return Client(
            client_id=row["client_id"],
            name=row["name"],
            supplier_id=row["supplier_id"],
            la_codes=frozenset(row["la_codes"]),
            scopes=frozenset(row["scopes"]),
            revoked=row["revoked_at"] is not None,
        )

    def list(self) -> list[Client]:
        with self._db.engine.connect() as conn:
            ids = conn.execute(select(clients.c.client_id).order_by(clients.c.client_id)).scalars().all()
        return [client for client in (self.get(client_id) for client_id in ids) if client is not None]

    def revoke(self, client_id: str) -> bool:
        """Revoke a client and all its keys at once; False if there is no such active client."""
        now = self._clock()
        with self._db.engine.begin() as conn:
            changed = conn.execute(
                update(clients)
                .where(clients.c.client_id == client_id, clients.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            conn.execute(
                update(api_keys)
                .where(api_keys.c.client_id == client_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            conn.execute(
                update(public_keys)
                .where(public_keys.c.client_id == client_id, public_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if changed:
                self._audited(conn, "clients.revoke", client_id)
        return bool(changed)

    # --- API keys --------------------------------------------------------------------------------------

    def issue_api_key(self, client_id: str) -> IssuedKey:
        """A new API key for an active client; the token is returned once and only its hash is kept."""
        client = self.get(client_id)
        if client is None or client.revoked:
            raise ConfigurationError(f"no active client {client_id!r}")
        key_id = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(16))
        secret = secrets.token_urlsafe(32)  # 256 bits: a fast hash is enough, no password stretching needed
        with self._db.engine.begin() as conn:
            conn.execute(
                insert(api_keys).values(
                    key_id=key_id, client_id=client_id, secret_sha256=_digest(secret), created_at=self._clock()
                )
            )
            self._audited(conn, "clients.api-key", client_id, key_id=key_id)
        return IssuedKey(key_id=key_id, token=f"ecm_{key_id}_{secret}")

    def revoke_api_key(self, key_id: str) -> bool:
        with self._db.engine.begin() as conn:
            changed = conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            ).rowcount
            if changed:
                self._audited(conn, "clients.revoke-api-key", key_id)
        return bool(changed)

    def authenticate_api_key(self, token: str) -> Client | None:
        """The active client an API key belongs to, or ``None`` (malformed, unknown, wrong or revoked key)."""
        match = _KEY_PATTERN.fullmatch(token)
        if match is None:
            return None
        key_id, secret = match.groups()
        with self._db.engine.connect() as conn:
            row = (
                conn.execute(select(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None)))
                .mappings()
                .first()
            )
        if row is None or not hmac.compare_digest(row["secret_sha256"], _digest(secret)):
            return None
        client = self.get(row["client_id"])
        return client if client is not None and not client.revoked else None

    # --- public keys for signed-JWT assertions ------------------------------------------------------------

    def add_public_key(self, client_id: str, *, kid: str, algorithm: str, public_key_pem: str) -> None:
        """Register a public key (PEM) with its pinned algorithm for a client's signed assertions."""
        if algorithm not in ALLOWED_ALGORITHMS:
            raise ConfigurationError(f"algorithm {algorithm!r} not allowed; use one of {sorted(ALLOWED_ALGORITHMS)}")
        try:
            load_pem_public_key(public_key_pem.encode("ascii"))
        except ValueError as exc:
            raise ConfigurationError("the public key is not a PEM-encoded public key") from exc
        if "PRIVATE KEY" in public_key_pem:
            raise ConfigurationError("that is a private key: register only the public key")
        client = self.get(client_id)
        if client is None or client.revoked:
            raise ConfigurationError(f"no active client {client_id!r}")
        try:
            with self._db.engine.begin() as conn:
                conn.execute(
                    insert(public_keys).values(
                        kid=kid,
                        client_id=client_id,
                        algorithm=algorithm,
                        public_key_pem=public_key_pem,
                        created_at=self._clock(),
                    )
                )
                self._audited(conn, "clients.add-key", client_id, kid=kid, algorithm=algorithm)
        except IntegrityError as exc:
            raise ConfigurationError(f"key id {kid!r} is already registered") from exc

    def revoke_public_key(self, kid: str) -> bool:
        with self._db.engine.begin() as conn:
            changed = conn.execute(
                update(public_keys)
                .where(public_keys.c.kid == kid, public_keys.c.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            ).rowcount
            if changed:
                self._audited(conn, "clients.revoke-key", kid)
        return bool(changed)

    def public_key(self, kid: str) -> tuple[str, str, str] | None:
        """(client id, algorithm, PEM) for an active key id, or ``None``."""
        with self._db.engine.connect() as conn:
            row = conn.execute(
                select(public_keys.c.client_id, public_keys.c.algorithm, public_keys.c.public_key_pem).where(
                    public_keys.c.kid == kid, public_keys.c.revoked_at.is_(None)
                )
            ).first()
        return (row[0], row[1], row[2]) if row is not None else None
