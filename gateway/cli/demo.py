"""``ecm-gateway demo``: every bundled synthetic sample message through the gateway, end to end."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from gateway.cli.compose import build_checks, build_registry
from gateway.cli.ledger import ledger_table
from gateway.cli.output import console, issue_table
from gateway.cli.wiring import Gateway, build_gateway
from gateway.resources import data_dir
from gateway.routing.ledger import compute_ledger
from gateway.settings import Subscription, load_settings

__all__ = ["demo"]


def _manifest(samples: Path) -> list[dict[str, Any]]:
    with (samples / "manifest.yaml").open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    messages: list[dict[str, Any]] = document["messages"]
    return messages


DEMO_RECEIVER = Subscription(supplier="demo-receiver", format="canonical-jsonl")
"""A receiving supplier subscribed in the demo (unless ECM_SUBSCRIPTIONS names others)."""


def _routes(gateway: Gateway, message_id: str) -> str:
    """Where a message's outgoing events went: ``n x kind -> queue`` (after the relay published them)."""
    counts: Counter[tuple[str, str, bool]] = Counter()
    for kind, exchange, routing_key, sent in gateway.outbox.for_message(message_id):
        queues = ", ".join(gateway.topology.queues_for(exchange, routing_key)) or "no queue"
        counts[(kind, queues, sent)] += 1
    return "; ".join(
        f"{count} x {kind} -> {queues}" + ("" if sent else " (waiting in the outbox)")
        for (kind, queues, sent), count in counts.items()
    )


def demo(
    keep: bool = typer.Option(False, "--keep", help="Keep the previous demo database instead of starting afresh."),
    show_issues: int = typer.Option(8, "--issues", help="Issues to show per message (0 for none)."),
) -> None:
    """Run the bundled synthetic sample messages (every supported format) through the gateway end to end.

    Uses the embedded default: a SQLite database under ECM_DATA_DIR/demo (default ./var/demo) and the local
    transport, so nothing else needs to be installed. All data is synthetic.

    Example: ecm-gateway demo
    """
    settings = load_settings()
    settings = settings.model_copy(
        update={"broker_url": None, "subscriptions": settings.subscriptions or (DEMO_RECEIVER,)}
    )
    folder = settings.data_dir / "demo"
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{(folder / 'ecm-demo.sqlite3').as_posix()}"
    registry = build_registry(settings)
    gateway = build_gateway(
        settings, registry=registry, checks=build_checks(settings, registry), database_url=database_url
    )
    gateway.declare()
    relay = gateway.relay()
    intake = gateway.intake
    samples = data_dir("samples")
    console.rule("[bold]ECM Gateway demo[/] - synthetic data only")
    console.print(f"database: {intake.store_url()}  transport: local (embedded, in the same database)\n")

    summary = Table(title="What happened to each message", show_lines=False)
    for column in ("#", "format", "version", "records", "errors", "warnings", "outcome"):
        summary.add_column(column, no_wrap=True)
    outcomes: Counter[str] = Counter()
    for number, entry in enumerate(_manifest(samples), start=1):
        files = [(Path(name).name, (samples / name).read_bytes()) for name in entry["files"]]
        result = intake.submit(
            files,
            supplier_id=entry["supplier"],
            la_code=str(entry["la_code"]),
            format_id=entry.get("format"),
            message_id=f"demo-{number:03d}",
        )
        message = result.message
        outcomes[result.outcome] += 1
        style = "green" if result.outcome == "accepted" else "red"
        summary.add_row(
            str(number),
            message.envelope.format_id,
            message.envelope.format_version or "-",
            str(len(message.records)),
            str(result.error_count),
            str(result.warning_count),
            f"[{style}]{result.outcome}[/]",
        )
        console.print(f"[bold]{number}. {entry['title']}[/]  ({', '.join(entry['files'])})")
        console.print(f"   {entry['shows'].strip()}")
        console.print(
            f"   -> message {message.envelope.message_id}: [{style}]{result.outcome}[/], "
            f"{len(message.records)} child record(s), "
            f"raw payload kept (sha256 {message.envelope.payload_sha256[:12]}...)"
        )
        if show_issues and message.issues:
            console.print(issue_table(message.issues, limit=show_issues))
        relay.drain()
        console.print(f"   routed: {_routes(gateway, message.envelope.message_id) or 'nothing to send'}")
        console.print()
    console.print(summary)
    total = sum(outcomes.values())
    console.print(
        f"\nreceived {total} = accepted {outcomes['accepted']} + rejected {outcomes['rejected']}; "
        "every payload is kept in the message store and can be replayed."
    )
    ledger = compute_ledger(gateway.database)
    console.print(ledger_table(ledger, title="ledger: received = delivered + rejected + in flight"))
    console.print("delivered = every event confirmed into its queue; consume them with: ecm-gateway consume directory")
    gateway.close()
