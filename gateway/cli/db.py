"""``ecm-gateway db``: the gateway's database (SQLite embedded default, PostgreSQL in production)."""

from __future__ import annotations

import typer

from gateway.cli.output import console
from gateway.settings import load_settings
from gateway.storage import open_database

__all__ = ["app"]

app = typer.Typer(help="Create or upgrade the gateway's database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database or migrate it to the newest schema (safe to run on every deploy).

    Uses ECM_DATABASE_URL, or the embedded SQLite file under ECM_DATA_DIR (default ./var/).

    Example: ECM_DATABASE_URL=postgresql+psycopg://gw@db/gateway ecm-gateway db upgrade
    """
    settings = load_settings()
    database = open_database(settings.effective_database_url)
    console.print(f"database {database.display_url()} is at the newest schema ({', '.join(database.table_names())})")
    database.dispose()
