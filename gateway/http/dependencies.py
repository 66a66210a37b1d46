"""Typed dependencies for the routers: the authenticated caller and the stores.

``authenticated_caller`` is the seam issue #8 (HTTP security) fills in: until it does, it refuses every
request with 401. It never trusts a header or a query parameter for who the caller is. Tests (and the app
factory once authentication lands) replace it through ``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request, status

from gateway.access import Caller
from gateway.caf import CafStore
from gateway.directory import DirectoryStore

__all__ = ["CafStoreDep", "CallerDep", "DirectoryStoreDep", "authenticated_caller", "caf_store", "directory_store"]


def authenticated_caller() -> Caller:
    """The authenticated practitioner. Refuses (401) until practitioner authentication (issue #8) is wired in."""
    raise HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="authentication required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def directory_store(request: Request) -> DirectoryStore:
    """The directory store the app's lifespan opened."""
    store = getattr(request.app.state, "directory_store", None)
    if store is None:
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="directory not available")
    return cast(DirectoryStore, store)


def caf_store(request: Request) -> CafStore:
    """The CAF store the app's lifespan opened."""
    store = getattr(request.app.state, "caf_store", None)
    if store is None:
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="CAF store not available")
    return cast(CafStore, store)


CallerDep = Annotated[Caller, Depends(authenticated_caller)]
DirectoryStoreDep = Annotated[DirectoryStore, Depends(directory_store)]
CafStoreDep = Annotated[CafStore, Depends(caf_store)]
