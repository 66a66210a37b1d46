"""``ecm-gateway replay``: process stored messages again, or put dead letters back; ``--dry-run`` first."""

from __future__ import annotations

import threading
from datetime import datetime

import typer

from gateway.cli.broker import open_gateway
from gateway.cli.output import console, error_console
from gateway.cli.wiring import Gateway, operator_caller
from gateway.errors import GatewayError, PayloadRemoved
from gateway.routing.replay import ReplayPlan, plan_replay, replay_message

__all__ = ["replay"]

_DATES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]
_STATUSES = ("received", "accepted", "rejected")


def _print_plan(plan: ReplayPlan, *, dry_run: bool) -> None:
    verb = "would be" if dry_run else "is now"
    change = "unchanged" if plan.old_outcome == plan.new_outcome else f"{plan.old_outcome} -> {plan.new_outcome}"
    console.print(f"[bold]{plan.message_id}[/]: outcome {change}; {verb} re-sent")
    for issue in plan.issues_added:
        console.print(f"   [yellow]+ issue[/] {issue}")
    for issue in plan.issues_removed:
        console.print(f"   [green]- issue[/] {issue}")
    for record in plan.records:
        fields = (
            f": {', '.join(record.fields[:8])}" + (" ..." if len(record.fields) > 8 else "") if record.fields else ""
        )
        console.print(f"   record {record.change}: {record.record}{fields}")
    for kind, count, queues in plan.routes:
        console.print(f"   -> {count} x {kind} to {', '.join(queues) or '[red]no queue[/]'}")


def _collect_dead_letters(gateway: Gateway) -> None:
    """Drain the dead-letter queues into the database, so the newest dead letters can be chosen."""
    stop = threading.Event()
    for worker in gateway.dead_letter_workers():
        consumer = gateway.transport.open_consumer(worker.queue, prefetch=worker.prefetch)
        try:
            while worker.step(consumer, stop):
                pass
        finally:
            consumer.close()


def _publish(gateway: Gateway) -> None:
    try:
        sent = gateway.relay().drain(timeout=60)
        console.print(f"published {sent} message(s)")
    except GatewayError as exc:
        console.print(f"[yellow]not published yet ({exc}); the relay will publish them from the outbox[/]")


def replay(  # noqa: PLR0917 - typer options
    message: list[str] = typer.Option([], "--message", "-m", help="A message id (repeat for several)."),
    supplier: str | None = typer.Option(None, "--supplier", "-s", help="Messages of this supplier."),
    since: datetime | None = typer.Option(None, "--since", formats=_DATES, help="Received at or after (UTC)."),
    until: datetime | None = typer.Option(None, "--until", formats=_DATES, help="Received before (UTC)."),
    rule: str | None = typer.Option(None, "--rule", help="Messages whose stored issues include this rule id."),
    status: list[str] = typer.Option([], "--status", help="Messages in this status (received/accepted/rejected)."),
    dead_letters: bool = typer.Option(False, "--dead-letters", help="Put dead-lettered events back instead."),
    queue: str | None = typer.Option(None, "--queue", help="With --dead-letters: only those from this queue."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would happen; change nothing."),
    everything: bool = typer.Option(False, "--all", help="Allow a replay with no selector (every message)."),
) -> None:
    """Process stored messages again with the current mappings and rules, or put dead letters back.

    Messages are chosen by id, supplier, time range, rule or status; their stored raw payload is read,
    mapped and checked again, and --dry-run shows the difference from the stored outcome (outcome,
    issues, changed record fields, where events would go) without changing anything. With --dead-letters
    the dead-lettered events (optionally of --message ids or a --queue) go back to the queue they failed in.

    Example: ecm-gateway replay --dead-letters --message m-0042 --dry-run
    """
    unknown = sorted(set(status) - set(_STATUSES))
    if unknown:
        error_console.print(f"--status must be one of {', '.join(_STATUSES)} (not {', '.join(unknown)})")
        raise typer.Exit(2)
    selectors = bool(message or supplier or since or until or rule or status or queue)
    if not selectors and not everything and not dead_letters:
        error_console.print("choose messages (--message, --supplier, --since/--until, --rule, --status) or --all")
        raise typer.Exit(2)
    gateway = open_gateway()
    try:
        if dead_letters:
            _replay_dead_letters(gateway, message, queue, dry_run=dry_run)
        else:
            ids = gateway.intake.store.find(
                message_ids=message,
                supplier_id=supplier,
                received_from=since,
                received_before=until,
                statuses=status,
                rule=rule,
            )
            unknown = [wanted for wanted in message if wanted not in ids]
            if unknown:
                narrowed = " that the other options select" if supplier or since or until or status or rule else ""
                console.print(
                    f"no stored message{narrowed} has the id {', '.join(unknown)}: ids are the message ids `submit` "
                    "and the HTTP API print (`ecm-gateway replay --supplier S --dry-run` lists a supplier's)"
                )
            if ids or not unknown:
                _replay_messages(gateway, ids, dry_run=dry_run)
    except GatewayError as exc:
        error_console.print(f"replay failed: {exc}")
        raise typer.Exit(2) from exc
    finally:
        gateway.close()


def _replay_messages(gateway: Gateway, ids: list[str], *, dry_run: bool) -> None:
    if not ids:
        console.print("no stored message matches")
        return
    changed = gone = 0
    for message_id in ids:
        try:
            if dry_run:
                plan = plan_replay(gateway.intake, message_id, topology=gateway.topology, names=gateway.names)
            else:
                plan = replay_message(
                    gateway.intake, message_id, topology=gateway.topology, names=gateway.names, by=operator_caller()
                )
        except PayloadRemoved as exc:
            gone += 1
            console.print(f"[bold]{message_id}[/]: [red]not replayed[/]: {exc}")
            continue
        changed += plan.changes_anything
        _print_plan(plan, dry_run=dry_run)
    console.print(
        f"{len(ids)} message(s); {changed} with a different outcome, issues or records"
        + (f"; {gone} whose payload was removed (not replayed)" if gone else "")
    )
    if not dry_run:
        _publish(gateway)


def _replay_dead_letters(gateway: Gateway, message_ids: list[str], queue: str | None, *, dry_run: bool) -> None:
    gateway.declare()
    _collect_dead_letters(gateway)
    letters = gateway.dead_letters.list(message_ids=message_ids, queue=queue)
    if not letters:
        console.print("no dead letter waiting")
        return
    for letter in letters:
        console.print(
            f"dead letter {letter.dead_letter_id}: {letter.kind or 'message'} of message {letter.message_id or '-'} "
            f"in {letter.queue}: {letter.reason}"
            + (f" (replayed {letter.replay_count} time(s) before)" if letter.replay_count else "")
        )
        if letter.payload_removed_at is not None:
            console.print(
                f"   [red]payload removed[/] on {letter.payload_removed_at:%Y-%m-%d} "
                f"({letter.payload_removed_reason or 'removed'}): it cannot be replayed; ask the supplier to send "
                "the message again"
            )
    replayable = [letter.dead_letter_id for letter in letters if letter.payload_removed_at is None]
    if dry_run:
        console.print(f"{len(replayable)} dead letter(s) would go back to their queues")
        return
    count = gateway.dead_letters.replay(replayable, audit=gateway.audit, by=operator_caller())
    console.print(f"{count} dead letter(s) put back on their queues")
    _publish(gateway)
