"""A minimal app factory for the store APIs (issue #8 owns the full ``build_app``: authentication etc.).

Nothing is built at import time. The lifespan opens the database (migrated) and the stores, and closes
the database on shutdown. The caller dependency still refuses every request until #8 authenticates
practitioners; tests override it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.audit import AuditLog
from gateway.caf import CafStore
from gateway.directory import DirectoryStore
from gateway.http.errors import install_error_handlers
from gateway.http.routers import caf, directory
from gateway.settings import Settings, load_settings
from gateway.storage import Database, open_database

__all__ = ["build_app"]


def build_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The FastAPI app serving the directory and CAF routers (``database`` overrides the settings' URL)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or open_database((settings or load_settings()).effective_database_url)
        audit = AuditLog()
        app.state.directory_store = DirectoryStore(db, audit=audit)
        app.state.caf_store = CafStore(db, audit=audit)
        try:
            yield
        finally:
            if database is None:
                db.dispose()

    app = FastAPI(title="ECM Gateway stores", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(directory.router)
    app.include_router(caf.router)
    return app
