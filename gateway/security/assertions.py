"""Signed-JWT client assertions (the supplier signs with its own private key; the gateway holds public keys).

Checks, in order: the header names a registered, unrevoked key (``kid``) and exactly that key's pinned
asymmetric algorithm (so ``alg: none`` and HS256-signed-with-the-public-key are refused); the signature;
``iss`` and ``sub`` both equal the key's client; ``aud`` is this gateway; ``exp``, ``iat`` and ``jti`` are
present, the lifetime is at most five minutes; and the ``jti`` has not been seen before (replays refused).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from gateway.errors import GatewayError
from gateway.security.clients import Client, ClientStore
from gateway.security.tables import seen_assertions

__all__ = ["MAX_LIFETIME", "AssertionVerifier", "InvalidCredentials"]

MAX_LIFETIME: Final = timedelta(minutes=5)
_LEEWAY: Final = timedelta(seconds=30)


class InvalidCredentials(GatewayError):
    """Authentication failed. ``reason`` is for the audit log; callers answer a generic 401."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(UTC)


class AssertionVerifier:
    """Verifies client assertions against the client registry for one audience (this gateway's URL)."""

    def __init__(self, clients: ClientStore, audience: str, clock: Callable[[], datetime] = _now) -> None:
        self._clients = clients
        self._audience = audience
        self._clock = clock

    def verify(self, token: str) -> Client:
        """The client that signed ``token``; raises :class:`InvalidCredentials` otherwise."""
        return self.verify_claims(token)[0]

    def verify_claims(self, token: str) -> tuple[Client, dict[str, Any]]:
        """The client that signed ``token`` and the verified claims (``scope``, ``act`` ...); raises
        :class:`InvalidCredentials` otherwise. The ``jti`` is spent: the same token never verifies twice."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise InvalidCredentials("malformed token") from exc
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidCredentials("no key id (kid) in the token header")
        registered = self._clients.public_key(kid)
        if registered is None:
            raise InvalidCredentials("unknown or revoked key id")
        client_id, algorithm, pem = registered
        if header.get("alg") != algorithm:
            raise InvalidCredentials("algorithm does not match the registered key")
        now = self._clock()
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=pem,
                algorithms=[algorithm],
                audience=self._audience,
                issuer=client_id,
                leeway=_LEEWAY,
                # Times are checked below against the gateway's clock (injectable for tests).
                options={
                    "require": ["exp", "iat", "jti", "iss", "sub", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidTokenError as exc:
            raise InvalidCredentials(f"token rejected: {type(exc).__name__}") from exc
        if claims["sub"] != client_id:
            raise InvalidCredentials("subject does not match the issuer")
        expires = datetime.fromtimestamp(claims["exp"], UTC)
        issued = datetime.fromtimestamp(claims["iat"], UTC)
        if expires <= now - _LEEWAY:
            raise InvalidCredentials("token expired (ExpiredSignatureError)")
        not_before = claims.get("nbf")
        if isinstance(not_before, int | float) and datetime.fromtimestamp(not_before, UTC) > now + _LEEWAY:
            raise InvalidCredentials("token not yet valid")
        if issued > now + _LEEWAY or expires - issued > MAX_LIFETIME:
            raise InvalidCredentials("token lifetime longer than five minutes or issued in the future")
        client = self._clients.get(client_id)
        if client is None or client.revoked:
            raise InvalidCredentials("client revoked")
        self._remember(client_id, str(claims["jti"]), expires)
        return client, claims

    def _remember(self, client_id: str, jti: str, expires: datetime) -> None:
        engine = self._clients.database.engine
        try:
            with engine.begin() as conn:
                conn.execute(delete(seen_assertions).where(seen_assertions.c.expires_at < self._clock() - _LEEWAY))
                conn.execute(insert(seen_assertions).values(client_id=client_id, jti=jti[:128], expires_at=expires))
        except IntegrityError as exc:
            raise InvalidCredentials("token replayed (jti already used)") from exc
