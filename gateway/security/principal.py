"""Who is calling over HTTP: the authenticated client, the scopes of this request, and the user acting.

Credentials travel in the ``Authorization`` header only (never a query parameter, never a custom header
that a proxy might log or forge):

``Authorization: Bearer <JWT>``
    A client assertion signed with the client's own private key (:mod:`gateway.security.assertions`): one
    assertion per request (its ``jti`` is spent), at most five minutes long, ``aud`` = the gateway's public
    URL. Optional claims:

    * ``scope`` — the space-separated scopes this request asks for. Every one must have been granted to the
      client; asking for more is *refused* (403), never silently narrowed. Default: every granted scope.
    * ``act`` — the person acting through a practitioner's system (the RFC 8693 actor claim):
      ``{"sub": "<practitioner id>", "roles": ["directory.read", ...]}``. ``sub`` is the practitioner id in
      the records' namespace and is written to the audit log as *who*; ``roles`` (optional) narrow what the
      user may do and can never exceed what the client's scopes allow. Break glass
      (``directory.break-glass``) is only ever granted to a named user whose system asserts that role.

``Authorization: ApiKey <ecm_...>``
    An API key (stored only as a hash) for simple set-ups. The client acts as itself (audit *who* =
    ``client:<client id>``) with all its granted scopes; it cannot name a user, so it cannot break glass.

The organisation a caller acts for (what consents name in their scope) is the client's supplier id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from gateway.access import (
    AUDIT_VERIFY,
    CAF_CONSENT,
    CAF_READ,
    DIRECTORY_BREAK_GLASS,
    DIRECTORY_INVOLVEMENT,
    DIRECTORY_READ,
    DUPLICATES_REVIEW,
    Caller,
)
from gateway.errors import GatewayError
from gateway.security.assertions import AssertionVerifier, InvalidCredentials
from gateway.security.clients import Client, ClientStore
from gateway.security.scopes import SCOPES, Scope

__all__ = ["ROLES_BY_SCOPE", "Authenticator", "Forbidden", "Principal"]

ROLES_BY_SCOPE: Final[Mapping[Scope, frozenset[str]]] = {
    "submit": frozenset(),
    "validate": frozenset(),
    "read:directory": frozenset({DIRECTORY_READ, DIRECTORY_INVOLVEMENT, DIRECTORY_BREAK_GLASS}),
    "read:caf": frozenset({CAF_READ, CAF_CONSENT}),
    "operate": frozenset({AUDIT_VERIFY}),
    "review:duplicates": frozenset({DUPLICATES_REVIEW}),
}
"""The store roles each scope allows (the ceiling for what an ``act`` claim may name)."""

_ASSERTED_ONLY: Final = frozenset({DIRECTORY_BREAK_GLASS})
"""Roles given only when a named user's system asserts them in ``act.roles``."""

_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}")


class Forbidden(GatewayError):
    """Authenticated, but not allowed (403). The message names the rule, never submitted data."""


@dataclass(frozen=True)
class Principal:
    """An authenticated request: the client, the scopes in force, the acting user and the store roles."""

    client: Client
    scopes: frozenset[Scope]
    method: Literal["assertion", "api-key"]
    actor: str | None = None
    roles: frozenset[str] = frozenset()

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def la_codes(self) -> frozenset[str]:
        """The councils (DfE LA numbers) the client may submit for."""
        return self.client.la_codes

    def require(self, scope: Scope) -> None:
        """Raise :class:`Forbidden` unless this request holds ``scope``."""
        if scope not in self.scopes:
            raise Forbidden(f"this request needs the {scope!r} scope")

    def caller(self) -> Caller:
        """The caller the stores audit and authorise: the acting user (or the client) and its organisation."""
        organisation = self.client.supplier_id
        if len(organisation) > 32:
            raise Forbidden("this client's supplier id is too long to act as an organisation code (32 at most)")
        return Caller(
            user_id=self.actor or f"client:{self.client.client_id}", organisation_code=organisation, roles=self.roles
        )


def _requested_scopes(claims: Mapping[str, Any], granted: frozenset[Scope]) -> frozenset[Scope]:
    asked = claims.get("scope")
    if asked is None:
        return granted
    if not isinstance(asked, str) or not asked.strip():
        raise InvalidCredentials("the scope claim must be a space-separated string")
    wanted = set(asked.split())
    unknown = wanted - set(SCOPES)
    if unknown:
        raise Forbidden("the token asks for a scope that does not exist")
    if not wanted <= granted:
        raise Forbidden("the token asks for a scope this client was not granted")
    return frozenset(scope for scope in granted if scope in wanted)


def _roles(scopes: frozenset[Scope], actor: str | None, asserted: object) -> frozenset[str]:
    allowed = frozenset().union(*(ROLES_BY_SCOPE[scope] for scope in scopes)) if scopes else frozenset[str]()
    if asserted is None:
        return allowed - _ASSERTED_ONLY
    if not isinstance(asserted, list) or not all(isinstance(role, str) for role in asserted):
        raise InvalidCredentials("act.roles must be a list of role names")
    wanted = frozenset(asserted)
    if not wanted <= allowed:
        raise Forbidden("the acting user is given a role the client's scopes do not allow")
    if actor is None:
        raise InvalidCredentials("act.roles needs act.sub (the user acting)")
    return wanted


def _actor(claims: Mapping[str, Any]) -> tuple[str | None, object]:
    act = claims.get("act")
    if act is None:
        return None, None
    if not isinstance(act, dict):
        raise InvalidCredentials("the act claim must be an object")
    sub = act.get("sub")
    if sub is not None and (not isinstance(sub, str) or not _ACTOR.fullmatch(sub)):
        raise InvalidCredentials("act.sub must be a practitioner id (letters, digits, . _ : @ / -; 128 at most)")
    return sub, act.get("roles")


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Principal` (401 via :class:`InvalidCredentials`,
    403 via :class:`Forbidden`)."""

    def __init__(self, clients: ClientStore, verifier: AssertionVerifier) -> None:
        self._clients = clients
        self._verifier = verifier

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise InvalidCredentials("no credentials")
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials or len(credentials) > 8192:
            raise InvalidCredentials("malformed Authorization header")
        match scheme.lower():
            case "bearer":
                client, claims = self._verifier.verify_claims(credentials)
                scopes = _requested_scopes(claims, client.scopes)
                actor, asserted = _actor(claims)
                return Principal(client, scopes, "assertion", actor, _roles(scopes, actor, asserted))
            case "apikey":
                found = self._clients.authenticate_api_key(credentials)
                if found is None:
                    raise InvalidCredentials("unknown, wrong or revoked API key")
                return Principal(found, found.scopes, "api-key", None, _roles(found.scopes, None, None))
            case _:
                raise InvalidCredentials("unsupported authorization scheme (use Bearer or ApiKey)")
