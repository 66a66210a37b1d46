"""``ecm-gateway serve``: run the HTTP API under uvicorn."""

from __future__ import annotations

import typer

from gateway.cli.compose import build_intake
from gateway.settings import load_settings
from gateway.storage import open_database

__all__ = ["serve"]


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (behind a TLS proxy)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (rate limits count per worker)."),
) -> None:
    """Serve the HTTP API: submissions, status, validation, rules, the directory and CAF stores, health and metrics.

    Settings come from ECM_* variables (ECM_DATABASE_URL, ECM_PUBLIC_URL - the audience of client assertions -,
    ECM_HTTP_MAX_BODY_BYTES, ECM_HTTP_RATE_LIMIT ...). Clients authenticate with
    "Authorization: Bearer <signed JWT client assertion>" or "Authorization: ApiKey <key>" (ecm-gateway clients).

    Example: ecm-gateway serve --host 0.0.0.0 --port 8000 --workers 2
    """
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    settings = load_settings()  # invalid settings, database, profile or plugins: one clear message, exit 2
    database = open_database(settings.effective_database_url)  # before the workers start, not in each one
    try:
        build_intake(settings, database=database)
    finally:
        database.dispose()
    uvicorn.run(
        "gateway.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        server_header=False,
    )
