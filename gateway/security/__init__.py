"""Supplier authentication and authorisation: client registry, API keys, signed-JWT client assertions, scopes.

Library code only (no FastAPI): the HTTP app (issue 8) turns these into dependencies.
"""

from gateway.security.assertions import AssertionVerifier, InvalidCredentials
from gateway.security.clients import Client, ClientStore, IssuedKey
from gateway.security.principal import Authenticator, Forbidden, Principal
from gateway.security.scopes import SCOPES, Scope

__all__ = [
    "SCOPES",
    "AssertionVerifier",
    "Authenticator",
    "Client",
    "ClientStore",
    "Forbidden",
    "InvalidCredentials",
    "IssuedKey",
    "Principal",
    "Scope",
]
