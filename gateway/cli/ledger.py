"""``ecm-gateway ledger``: received = delivered + rejected + in flight, per supplier and day."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer
from rich.table import Table

from gateway.cli.output import console
from gateway.routing.ledger import Ledger, compute_ledger
from gateway.settings import load_settings
from gateway.storage import open_database

__all__ = ["ledger", "ledger_table"]


def ledger_table(result: Ledger, *, title: str = "ledger") -> Table:
    """The ledger as a table, one line per supplier and day, with a total line."""
    table = Table(title=title)
    for column in ("day", "supplier", "received", "delivered", "rejected", "in flight", "difference"):
        table.add_column(column, justify="right" if column not in ("day", "supplier") else "left")
    for line in result.lines:
        table.add_row(
            line.day.isoformat(),
            line.supplier_id,
            str(line.received),
            str(line.delivered),
            str(line.rejected),
            str(line.in_flight),
            "0" if line.balanced else f"[red]{line.unaccounted or len(line.differences)}[/]",
        )
    total = result.totals()
    table.add_row(
        "total",
        "",
        str(total.received),
        str(total.delivered),
        str(total.rejected),
        str(total.in_flight),
        "0" if result.balanced else f"[red]{total.unaccounted or len(total.differences)}[/]",
    )
    return table


def ledger(
    supplier: str | None = typer.Option(None, "--supplier", "-s", help="Only this supplier."),
    since: datetime | None = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="First day (UTC)."),
    until: datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Last day (UTC)."),
    stuck_after: int = typer.Option(15, "--stuck-after", min=0, help="Minutes after which in-flight work is named."),
    show: int = typer.Option(50, "--show", min=0, help="Differences to list (0 for none)."),
) -> None:
    """Prove nothing was lost: per supplier and day, received = delivered + rejected + in flight.

    Delivered means every outgoing event was confirmed by the broker; in flight means not processed yet or
    waiting for the relay. Anything else (dead-lettered events, stuck messages) is named with what to do.
    Exit status 1 when any line does not balance.

    Example: ecm-gateway ledger --since 2026-11-01 --supplier acme-cms
    """
    settings = load_settings()
    database = open_database(settings.effective_database_url)
    try:
        result = compute_ledger(
            database,
            supplier_id=supplier,
            since=since.date() if since else None,
            until=until.date() if until else None,
            stuck_after=timedelta(minutes=stuck_after),
        )
    finally:
        database.dispose()
    console.print(ledger_table(result))
    differences = [item for line in result.lines for item in line.differences]
    for item in differences[:show]:
        console.print(f"  [red]difference[/] {item}")
    if len(differences) > show:
        console.print(f"  ... and {len(differences) - show} more")
    if result.balanced:
        console.print("balanced: every received message is delivered, rejected or in flight")
    raise typer.Exit(0 if result.balanced else 1)
