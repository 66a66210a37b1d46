"""The app factory: ``build_app(settings)`` gives a FastAPI app whose lifespan builds everything.

Nothing is built at import time or in ``build_app`` beyond the routes: the lifespan opens the database
(migrated), composes the intake exactly as the CLI does (``gateway.cli.compose``/``wiring``: plugin
registry, conformance profile, identity resolution, router and outbox), the client registry and its
assertion verifier, the stores, the rate limiter, the background pool for asynchronous submissions and
the metrics, and closes them on shutdown. On start it takes up the asynchronous submissions a stopped
process left unfinished, and sweeps for them again every few minutes (:mod:`gateway.http.resumption`).
Under uvicorn::

    uvicorn --factory gateway.http.app:create_app        # settings from ECM_* variables

Routes (one router per resource): ``/v1/messages``, ``/v1/$validate``, ``/v1/rules``,
``/v1/directory/...``, ``/v1/caf/...``, ``/v1/reviews/...`` (with ``/v1/records/{id}/unmerge`` and
``/v1/decisions/{id}/reverse``), ``/health/live``, ``/health/ready``, ``/metrics``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool

from gateway import __version__
from gateway.audit import AuditLog
from gateway.caf import CafStore
from gateway.directory import DirectoryStore
from gateway.errors import GatewayError
from gateway.http.errors import ErrorShield, install_error_handlers
from gateway.http.limits import BodyLimit, RateLimiter
from gateway.http.metrics import HttpMetrics, RequestMetrics
from gateway.http.openapi import document_malformed_bodies, errors
from gateway.http.resumption import Resumption, Sweeper
from gateway.http.routers import caf, directory, health, messages, reviews, rules, validation
from gateway.http.submissions import SubmissionService
from gateway.intake import Intake
from gateway.logs import configure_logging
from gateway.matching import IdentityResolver
from gateway.matching.desk import ReviewDesk
from gateway.security import AssertionVerifier, Authenticator, ClientStore
from gateway.settings import Settings, load_settings
from gateway.storage import Database, open_database

if TYPE_CHECKING:
    from gateway.routing.readiness import Readiness
    from gateway.transport import Transport

__all__ = ["build_app", "create_app"]

_DESCRIPTION = """
Submit supplier files, follow them, validate them, and read the directory and CAF stores.

**Authentication** (every `/v1` route): `Authorization: Bearer <signed JWT client assertion>` (one per
request: `iss` = `sub` = client id, `aud` = the gateway's public URL, `exp` at most 5 minutes after `iat`,
a fresh `jti`, `kid` header naming the registered key; optional `scope` and `act` claims) or
`Authorization: ApiKey <key>`. Scopes: `submit`, `validate`, `read:directory`, `read:caf`, `operate`,
`review:duplicates` (decisions on possible duplicates need a named person: the `act` claim).

Errors never repeat submitted values.
"""


def _composed(settings: Settings, database: Database) -> tuple[Intake, AuditLog]:
    """The intake exactly as ``ecm-gateway submit`` builds it, on ``database``, and the audit log every
    writer shares (keyed by ``ECM_AUDIT_KEY``)."""
    from gateway.cli.compose import build_intake  # noqa: PLC0415 - composition root
    from gateway.cli.wiring import build_audit_log  # noqa: PLC0415

    return build_intake(settings, database=database), build_audit_log(settings)


def _readiness(
    settings: Settings, database: Database, intake: Intake
) -> tuple[Callable[[], Readiness], list[Transport]]:
    from gateway.cli.wiring import build_transport  # noqa: PLC0415
    from gateway.routing.readiness import readiness  # noqa: PLC0415
    from gateway.routing.topology import topology_from_settings  # noqa: PLC0415

    topology = topology_from_settings(settings)
    opened: list[Transport] = []
    lock = threading.Lock()

    def check() -> Readiness:
        with lock:
            if not opened:
                try:
                    opened.append(build_transport(settings, database, topology))
                except GatewayError:
                    return readiness(database, outbox=intake.outbox)
            return readiness(database, transport=opened[0], topology=topology, outbox=intake.outbox)

    return check, opened


def _review_desk(database: Database, intake: Intake) -> ReviewDesk | None:
    """The duplicate-review desk on the intake's review queue (the one ``ecm-gateway review`` uses): held
    records are released, and moved records recalled, through the intake's outbox."""
    resolver = intake.resolver
    if not isinstance(resolver, IdentityResolver):  # pragma: no cover - the composed intake always resolves
        return None  # the review routes then answer 503
    return ReviewDesk(database, resolver.queue)


def build_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The gateway's HTTP app. ``settings`` default to the ``ECM_*`` environment; ``database`` overrides
    the settings' URL (and is then not closed on shutdown). Connections and pools open in the lifespan."""
    from gateway.routing.metrics import RoutingMetrics  # noqa: PLC0415 - prometheus only where served

    s = settings or load_settings()
    metrics_registry = CollectorRegistry()
    routing_metrics = RoutingMetrics(metrics_registry)
    http_metrics = HttpMetrics(metrics_registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or open_database(s.effective_database_url)
        intake, audit = _composed(s, db)
        executor = ThreadPoolExecutor(max_workers=s.http_async_workers, thread_name_prefix="ecm-submission")
        clients = ClientStore(db)
        check, transports = _readiness(s, db, intake)

        def exposition() -> bytes:
            routing_metrics.observe(outbox=intake.outbox)
            return generate_latest(metrics_registry)

        state = app.state
        state.settings = s
        state.database = db
        state.registry = intake.registry
        state.submissions = SubmissionService(
            intake, db, audit, parse_timeout=s.http_parse_timeout, max_records=s.http_max_records, executor=executor
        )
        state.resumption = Resumption(
            state.submissions,
            clients,
            resumed=http_metrics.resumed,
            resume_after=timedelta(seconds=s.http_resume_after),
            max_resumptions=s.http_resume_attempts,
        )
        state.sweeper = sweeper = Sweeper(state.resumption, interval=s.http_resume_interval)
        state.authenticator = Authenticator(clients, AssertionVerifier(clients, s.public_url))
        state.rate_limiter = RateLimiter(s.http_rate_limit, s.http_rate_burst)
        state.directory_store = DirectoryStore(db, audit=audit)
        state.caf_store = CafStore(db, audit=audit)
        state.review_desk = _review_desk(db, intake)
        state.readiness = check
        state.metrics_exposition = exposition
        await run_in_threadpool(sweeper.start)  # claims what stopped processes left; finishes it in the pool
        try:
            yield
        finally:
            sweeper.stop()
            executor.shutdown(wait=True, cancel_futures=False)
            for transport in transports:
                transport.close()
            if database is None:
                db.dispose()

    app = FastAPI(title="ECM Gateway", version=__version__, description=_DESCRIPTION, lifespan=lifespan)
    install_error_handlers(app)
    for router in (messages.router, validation.router, rules.router, health.router):
        app.include_router(router)
    store_errors = errors(401, 403, 404, 422, 429, 503)
    app.include_router(directory.router, responses=store_errors)
    app.include_router(caf.router, responses=store_errors)
    app.include_router(reviews.router, responses=errors(401, 403, 422, 429, 503))
    app.add_middleware(RequestMetrics, metrics=http_metrics)
    app.add_middleware(
        BodyLimit,
        default=s.http_max_json_bytes,
        by_prefix={"/v1/messages": s.http_max_body_bytes, "/v1/$validate": s.http_max_body_bytes},
    )
    app.add_middleware(ErrorShield)
    document_malformed_bodies(app)
    return app


def create_app() -> FastAPI:
    """``uvicorn --factory gateway.http.app:create_app``: settings from the environment, and the gateway's
    JSON logs at ``ECM_LOG_LEVEL`` (in every worker process, each of which calls this factory)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return build_app(settings)
