"""``ecm-gateway broker``: declare the topology and see the state of the queues, the outbox and dead letters."""

from __future__ import annotations

import typer
from rich.table import Table

from gateway.cli.compose import build_registry
from gateway.cli.failures import describe_failure
from gateway.cli.output import console, error_console
from gateway.cli.wiring import Gateway, build_gateway
from gateway.errors import GatewayError
from gateway.routing.readiness import readiness
from gateway.settings import Settings, load_settings

__all__ = ["app", "open_gateway"]

app = typer.Typer(help="The message broker's topology: RabbitMQ, or the local transport.", no_args_is_help=True)


def open_gateway(settings: Settings | None = None) -> Gateway:
    """The routing parts for a command, or exit 2 with the reason (no personal data, no passwords)."""
    settings = settings or load_settings()
    try:
        registry = build_registry(settings)
        return build_gateway(settings, registry=registry)
    except GatewayError as exc:
        error_console.print(f"cannot start: {describe_failure(exc) or exc}", markup=False)
        raise typer.Exit(2) from exc


@app.command("setup")
def setup() -> None:
    """Declare every exchange, queue (quorum, dead-lettered at least once) and binding; safe to run again.

    Uses RabbitMQ at ECM_BROKER_URL, or the local transport in the gateway's database when it is unset.
    Workers declare the same topology at start-up. Names and arguments: docs/operators/routing.md.

    Example: ECM_BROKER_URL=amqp://gw:secret@mq.example/ecm ecm-gateway broker setup
    """
    gateway = open_gateway()
    try:
        gateway.declare()
        waiting = gateway.outbox.make_due()  # rows refused before (no queue yet) go out now
    except GatewayError as exc:
        error_console.print(f"broker setup failed: {describe_failure(exc) or exc}", markup=False)
        raise typer.Exit(2) from exc
    finally:
        gateway.close()
    table = Table(title=f"topology declared on the {gateway.transport.kind} transport")
    for column in ("queue", "purpose", "delivery limit", "retries (s)", "dead letters to"):
        table.add_column(column)
    for spec in gateway.topology.queues:
        table.add_row(
            spec.name,
            spec.purpose,
            str(spec.delivery_limit or "-"),
            ", ".join(f"{delay:g}" for delay in spec.retry_delays) or "-",
            spec.dead_letter_queue or "-",
        )
    console.print(table)
    console.print(", ".join(f"{spec.name} ({spec.type})" for spec in gateway.topology.exchanges))
    if waiting:
        console.print(f"{waiting} outbox row(s) waiting to be published are due now")


@app.command("status")
def status() -> None:
    """Readiness, queue depths, outbox lag and open dead letters. Exit 1 when not ready.

    Example: ecm-gateway broker status
    """
    gateway = open_gateway()
    try:
        report = readiness(
            gateway.database, transport=gateway.transport, topology=gateway.topology, outbox=gateway.outbox
        )
        checks = Table(title="readiness")
        for column in ("check", "ok", "detail"):
            checks.add_column(column)
        for check in report.checks:
            checks.add_row(check.name, "yes" if check.ok else "[red]no[/]", check.detail)
        console.print(checks)
        depths = Table(title="queues")
        depths.add_column("queue")
        depths.add_column("ready messages", justify="right")
        for spec in gateway.topology.queues:
            try:
                depth = str(gateway.transport.queue_depth(spec.name))
            except GatewayError:
                depth = "unavailable"
            depths.add_row(spec.name, depth)
        console.print(depths)
        open_letters = gateway.dead_letters.list()
        console.print(f"dead letters collected and not replayed: {len(open_letters)}")
    finally:
        gateway.close()
    failed = ", ".join(check.name for check in report.checks if not check.ok)
    if not report.ready:
        console.print(f"[red]NOT ready[/]: the gateway cannot accept messages ({failed}); fix that first")
    elif report.degraded:
        console.print(
            f"[yellow]ready, degraded[/] ({failed}): messages are accepted and kept in the outbox, but their "
            "delivery waits until that is fixed (a broker down; a queue missing: run `broker setup`; no relay or "
            "worker running); see docs/operators/routing.md, Health and readiness"
        )
    else:
        console.print("[green]ready[/]: messages are accepted and published")
    raise typer.Exit(0 if report.ready else 1)
