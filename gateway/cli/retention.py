"""``ecm-gateway retention run``: apply the retention policy — message payloads, dead letters, sent outbox
rows, and the directory's archive-at-18 (25) and delete-after-archive — on a schedule (cron, systemd timer)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from gateway.cli.output import console, error_console
from gateway.cli.wiring import build_audit_log
from gateway.errors import GatewayError
from gateway.routing.retention import RetentionPolicy, RetentionReport, Step, run_retention, start_of
from gateway.settings import load_settings
from gateway.storage import open_database

__all__ = ["app", "run"]

app = typer.Typer(
    help="Apply the retention policy to the gateway's database.\n\nExample: ecm-gateway retention run --dry-run",
    no_args_is_help=True,
)

_LABELS: dict[Step, str] = {
    "delivered": "delivered messages' payloads",
    "awaiting-replay": "payloads of messages awaiting replay",
    "dead-letters": "dead letters' bodies",
    "outbox": "sent outbox rows",
    "archive": "directory entries archived",
    "delete-archived": "archived directory entries deleted",
}


def _table(report: RetentionReport, policy: RetentionPolicy) -> Table:
    verb = "would remove" if report.dry_run else "removed"
    table = Table(title=f"retention as of {report.as_of:%Y-%m-%d %H:%M} UTC ({verb})")
    table.add_column("what")
    table.add_column("kept for")
    table.add_column("count", justify="right")
    kept: dict[Step, str] = {
        "delivered": f"{policy.delivered.days} days",
        "awaiting-replay": f"{policy.awaiting_replay.days} days",
        "dead-letters": f"{policy.delivered.days} days after replay, else {policy.awaiting_replay.days}",
        "outbox": f"{policy.delivered.days} days after sending",
        "archive": "until the 18th (25th) birthday",
        "delete-archived": f"{policy.archived.days} days after archiving",
    }
    for step, label in _LABELS.items():
        if step in report.counts:
            table.add_row(label, kept[step], str(report.counts[step]))
    return table


@app.command("run")
def run(
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Act as if today were this day (UTC; not in the future)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; change nothing."),
    directory: bool = typer.Option(
        True, "--directory/--no-directory", help="Also archive and delete directory entries that are due."
    ),
) -> None:
    """Remove what the retention policy no longer allows the gateway to keep; safe to run again at any time.

    Payloads (raw files, canonical form) of delivered messages older than ECM_RETENTION_DAYS and of messages
    awaiting replay (rejected, or with dead-lettered events) older than ECM_REJECTED_RETENTION_DAYS are
    removed; each message keeps a tombstone (ids, outcome, counts, payload hash), so the ledger still
    balances. Messages in flight or held for duplicate review are never touched. Dead letters' bodies and
    sent outbox rows follow the same periods. Directory entries past their 18th birthday (25th for care
    leavers who consented) are archived, and archived entries older than ECM_ARCHIVE_RETENTION_DAYS are
    deleted. Every batch is audited. Run it daily from cron or a systemd timer (docs/operators/stores.md).

    Example: ecm-gateway retention run --dry-run
    """
    settings = load_settings()
    today = datetime.now(UTC).date()
    day: date = as_of.date() if as_of is not None else today
    if day > today and not dry_run:
        error_console.print("--as-of may not be in the future (it would remove content early); try --dry-run")
        raise typer.Exit(2)
    now = start_of(day) if as_of is not None else datetime.now(UTC)
    policy = RetentionPolicy.from_settings(settings)
    database = open_database(settings.effective_database_url)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=dry_run or not console.is_terminal,
        ) as bar:
            audit = build_audit_log(settings)
            planned = RetentionReport(as_of=now, dry_run=True)
            if not dry_run and console.is_terminal:  # totals for the progress bars
                planned = run_retention(database, policy, audit=audit, now=now, dry_run=True, directory=directory)
            tasks: dict[Step, TaskID] = {}

            def advance(step: Step, count: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(_LABELS[step], total=planned.counts.get(step) or None)
                bar.advance(tasks[step], count)

            report = run_retention(
                database,
                policy,
                audit=audit,
                now=now,
                dry_run=dry_run,
                directory=directory,
                progress=advance,
            )
    except GatewayError as exc:
        error_console.print(f"retention run failed: {exc}")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    console.print(_table(report, policy))
    if dry_run:
        console.print("dry run: nothing was changed")
