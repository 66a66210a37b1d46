"""Typed dependencies for the routers: the authenticated principal, its caller, scopes, and the services.

``authenticated_principal`` reads the ``Authorization`` header (``Bearer <signed JWT client assertion>`` or
``ApiKey <key>``; see :mod:`gateway.security.principal`), answers 401/403 through the error handlers, and
then spends one token of the client's rate limit (429 with ``Retry-After``). It runs once per request
(FastAPI caches it), so a single-use assertion is verified once. It never trusts any other header or a
query parameter for who the caller is. ``authenticated_caller`` is the practitioner (or client) the stores
audit and authorise; tests may replace either through ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, cast

from fastapi import Depends, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from gateway.access import Caller
from gateway.caf import CafStore
from gateway.directory import DirectoryStore
from gateway.http.limits import RateLimiter
from gateway.security import Authenticator, Forbidden, Principal, Scope

__all__ = [
    "CafStoreDep",
    "CallerDep",
    "DirectoryStoreDep",
    "PrincipalDep",
    "authenticated_caller",
    "authenticated_principal",
    "caf_store",
    "directory_store",
    "require",
    "service",
]


def service(request: Request, name: str) -> Any:
    """A part the app's lifespan built (``app.state.<name>``); 503 while the app is not started."""
    part = getattr(request.app.state, name, None)
    if part is None:
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="not ready")
    return part


async def authenticated_principal(request: Request) -> Principal:
    """The authenticated client of this request (401 / 403 / 429 otherwise)."""
    authenticator = cast(Authenticator, service(request, "authenticator"))
    header = request.headers.get("authorization")
    principal = await run_in_threadpool(authenticator.authenticate, header)
    limiter = cast(RateLimiter, service(request, "rate_limiter"))
    wait = limiter.acquire(principal.client_id)
    if wait is not None:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many requests from this client; retry later",
            headers={"Retry-After": str(wait)},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticated_principal)]


def require(*scopes: Scope) -> Callable[[Principal], Principal]:
    """A dependency giving the principal when the request holds one of ``scopes`` (403 otherwise)."""

    def check(principal: PrincipalDep) -> Principal:
        if not any(scope in principal.scopes for scope in scopes):
            raise Forbidden(f"this request needs the {' or '.join(repr(scope) for scope in scopes)} scope")
        return principal

    check.__name__ = "require_" + "_or_".join(scope.replace(":", "_") for scope in scopes)
    return check


_STORE_SCOPES: Final[tuple[tuple[str, Scope], ...]] = (("/v1/directory", "read:directory"), ("/v1/caf", "read:caf"))
"""The scope each store's routes need, before any role or relationship check of the store itself."""


def authenticated_caller(request: Request, principal: PrincipalDep) -> Caller:
    """The caller the stores see: the user acting through the client (JWT ``act.sub``), or the client.

    A store's routes need that store's scope (``read:directory``, ``read:caf``); without it the answer is 403
    before the request is even validated.
    """
    path = request.url.path
    for prefix, scope in _STORE_SCOPES:
        if path.startswith(prefix + "/"):
            principal.require(scope)
    return principal.caller()


def directory_store(request: Request) -> DirectoryStore:
    """The directory store the app's lifespan opened."""
    return cast(DirectoryStore, service(request, "directory_store"))


def caf_store(request: Request) -> CafStore:
    """The CAF store the app's lifespan opened."""
    return cast(CafStore, service(request, "caf_store"))


CallerDep = Annotated[Caller, Depends(authenticated_caller)]
DirectoryStoreDep = Annotated[DirectoryStore, Depends(directory_store)]
CafStoreDep = Annotated[CafStore, Depends(caf_store)]
