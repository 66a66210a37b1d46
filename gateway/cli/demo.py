"""``ecm-gateway demo``: every bundled synthetic sample message through the gateway, end to end."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from gateway.access import Caller
from gateway.cli.compose import build_profile_note, build_registry
from gateway.cli.ledger import ledger_table
from gateway.cli.output import console, issue_table
from gateway.cli.wiring import Gateway, build_gateway
from gateway.matching.resolution import record_id_for
from gateway.pipeline import ProcessResult
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


DEMO_REVIEWER = Caller(user_id="demo-reviewer", organisation_code="LA201")
"""The person who decides the demo's possible duplicate (a real deployment records who decided and why)."""


def _identity(gateway: Gateway, result: ProcessResult) -> list[str]:
    """What matching made of an accepted message's records: new children, links, and held records with the
    grade and explanation a reviewer sees (field agreements only, never values)."""
    if gateway.resolver is None or not result.message.records:
        return []
    queue = gateway.resolver.queue
    envelope = result.message.envelope
    counts: Counter[str] = Counter()
    lines: list[str] = []
    for position, record in enumerate(result.message.records):
        child_id = record.child.child_id
        if position in result.held:
            counts["held for a person's review"] += 1
            for review in queue.reviews(record_id=record_id_for(envelope, record)):
                lines.append(
                    f"   held for review: record {position} is a {review.grade} match (weight {review.weight:.1f}) "
                    f"with a record already in the index - {review.explanation_text()}"
                )
        elif child_id is None:
            counts["not matched"] += 1
        elif len(queue.records_of(child_id)) > 1:
            counts["linked to a child already known"] += 1
        else:
            counts["new"] += 1
    if result.outcome == "rejected" and not result.held:
        return []
    summary = ", ".join(f"{count} {what}" for what, count in counts.items())
    return [f"   identity: {summary}", *lines]


def _decide_held(gateway: Gateway, held_messages: list[str]) -> None:
    """Show a person deciding the demo's open reviews, and the held records released to the directory."""
    if gateway.resolver is None:
        return
    queue = gateway.resolver.queue
    before = {message_id: len(gateway.outbox.for_message(message_id)) for message_id in held_messages}
    first_per_record = {review.record_id: review for review in reversed(queue.reviews())}  # best-known first
    for review in sorted(first_per_record.values(), key=lambda r: r.review_id):
        decision = queue.decide(
            review.review_id, same=True, by=DEMO_REVIEWER, reason="demo: same child, confirmed with the school"
        )
        console.print(
            f"[bold]A reviewer ({DEMO_REVIEWER.user_id}) decides review {review.review_id}[/] ({review.grade} match): "
            f"the same child. The held record joins child {decision.child_id_after}; the decision is audited and "
            "can be reversed (unmerge)."
        )
        console.print(
            f"   (in a deployment a reviewer opens the pair with: ecm-gateway review show {review.review_id}, and "
            f'decides with: ecm-gateway review decide {review.review_id} --same --reason "...")'
        )
    gateway.relay().drain()
    for message_id, count in before.items():
        released = gateway.outbox.for_message(message_id)[count:]
        for kind, exchange, routing_key, _ in released:
            queues = ", ".join(gateway.topology.queues_for(exchange, routing_key)) or "no queue"
            console.print(f"   released from message {message_id}: {kind} -> {queues}")
    console.print()


def demo(
    keep: bool = typer.Option(False, "--keep", help="Keep the previous demo database instead of starting afresh."),
    show_issues: int = typer.Option(8, "--issues", min=0, help="Issues to show per message (0 for none)."),
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
    gateway = build_gateway(settings, registry=registry, database_url=database_url)
    profile_note = build_profile_note(settings, registry)
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
    held_messages: list[str] = []
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
            + (f"\n   {profile_note(message.envelope)}" if profile_note is not None else "")
        )
        if show_issues and message.issues:
            whole = files[0][0] if len(files) == 1 else "the submission"
            console.print(issue_table(message.issues, limit=show_issues, whole=whole))
        for line in _identity(gateway, result):
            console.print(line)
        if result.held:
            held_messages.append(message.envelope.message_id)
        relay.drain()
        console.print(f"   routed: {_routes(gateway, message.envelope.message_id) or 'nothing to send'}")
        console.print()
    _decide_held(gateway, held_messages)
    console.print(summary)
    total = sum(outcomes.values())
    console.print(
        f"\nreceived {total} = accepted {outcomes['accepted']} + rejected {outcomes['rejected']}; "
        "every payload is kept in the message store and can be replayed."
    )
    ledger = compute_ledger(gateway.database)
    console.print(ledger_table(ledger, title="ledger: received = delivered + rejected + in flight"))
    console.print("delivered = every event confirmed into its queue; consume them with: ecm-gateway consume directory")
    report = gateway.audit.verify(gateway.database.engine)
    entries = "1 entry" if report.checked == 1 else f"{report.checked} entries"
    console.print(
        f"audit log: {entries} (decisions, purges, reads), hash chain "
        + ("[green]verified[/]" if report.ok else f"[red]BROKEN at {[p.seq for p in report.problems]}[/]")
        + " - check it any time with: ecm-gateway audit verify"
    )
    gateway.close()
