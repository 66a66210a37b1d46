"""``ecm-gateway audit``: verify the tamper-evident audit log, take checkpoints, list entries.

The log holds who did what, why, with what outcome, the query parameters and the ids returned — never the
content returned — so listing it prints no personal data beyond the ids a practitioner's query matched.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from gateway.audit import AuditLog, Checkpoint
from gateway.cli.output import console
from gateway.cli.wiring import build_audit_log
from gateway.settings import Settings, load_settings
from gateway.storage import Database, open_database
from gateway.storage.tables import audit_head

__all__ = ["app"]

app = typer.Typer(
    help="Verify the tamper-evident audit log, take checkpoints and list entries.\n\n"
    "Example: ecm-gateway audit verify --checkpoint-file /secure/audit-checkpoints.txt",
    no_args_is_help=True,
)

_CHECKPOINT = re.compile(r"^\s*(\d+):([0-9a-f]{64})\s*$")


def _open(settings: Settings) -> tuple[Database, AuditLog]:
    return open_database(settings.effective_database_url), build_audit_log(settings)


def _parse_checkpoint(text: str, where: str) -> Checkpoint:
    match = _CHECKPOINT.match(text)
    if match is None:
        console.print(f"[red]error:[/] {where}: a checkpoint is SEQ:HASH (as `ecm-gateway audit checkpoint` prints)")
        raise typer.Exit(2)
    return Checkpoint(seq=int(match.group(1)), hash=match.group(2))


def _checkpoints(values: list[str], files: list[Path]) -> list[Checkpoint]:
    found = [_parse_checkpoint(value, "--checkpoint") for value in values]
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            console.print(f"[red]error:[/] cannot read {path}: {exc.strerror}")
            raise typer.Exit(2) from exc
        for number, line in enumerate(lines, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                found.append(_parse_checkpoint(line, f"{path}:{number}"))
    return found


@app.command("verify")
def verify(
    checkpoint: list[str] = typer.Option(
        [], "--checkpoint", "-c", help="A checkpoint SEQ:HASH taken earlier; the log must still extend it."
    ),
    checkpoint_file: list[Path] = typer.Option(
        [], "--checkpoint-file", help="A file of checkpoints, one SEQ:HASH per line ('#' comments allowed)."
    ),
) -> None:
    """Walk the whole audit chain and report every edited, deleted, reordered or truncated entry, and where.

    With ECM_AUDIT_KEY set (the key the gateway signs with), a rewritten chain is found even when its hashes
    were recomputed. Checkpoints kept off the machine prove the log was not cut back and re-grown.
    Exit status: 0 when the chain verifies, 1 when anything is wrong, 2 when it cannot be checked.

    Example: ecm-gateway audit verify --checkpoint 1200:3f5a...e9
    """
    wanted = _checkpoints(checkpoint, checkpoint_file)
    settings = load_settings()
    database, log = _open(settings)
    try:
        report = log.verify(database.engine, checkpoints=wanted)
        signed_head = report.ok or _head_is_signed(database)
    finally:
        database.dispose()
    if report.ok:
        console.print(
            f"audit log verified: {report.checked} entries, last {report.last_seq}, {len(wanted)} checkpoint(s) held"
        )
        return
    table = Table(title=f"audit log NOT intact: {len(report.problems)} problem(s) in {report.checked} entries")
    for column in ("entry", "problem", "detail"):
        table.add_column(column)
    for problem in report.problems:
        table.add_row(str(problem.seq), problem.kind, problem.detail)
    console.print(table)
    if settings.audit_key is None and signed_head:
        console.print(
            "[yellow]ECM_AUDIT_KEY is not set, but this log is signed:[/] entries read as edited without the key "
            "that signed them. Run `audit verify` again with the gateway's ECM_AUDIT_KEY (and "
            "ECM_AUDIT_PREVIOUS_KEYS, ECM_AUDIT_UNKEYED_THROUGH) before treating this as tampering."
        )
        raise typer.Exit(1)
    console.print(
        "Check first that this ran with the gateway's own ECM_AUDIT_KEY, ECM_AUDIT_PREVIOUS_KEYS and "
        "ECM_AUDIT_UNKEYED_THROUGH (with another key every signed entry reads as edited). Then keep the "
        "database as it is (a copy for investigation), compare with your latest off-machine checkpoint and "
        "backups, and report it to your information governance lead."
    )
    raise typer.Exit(1)


def _head_is_signed(database: Database) -> bool:
    """Whether the gateway that wrote the log signs it (its head carries a MAC)."""
    with database.engine.connect() as conn:
        return conn.execute(select(audit_head.c.mac).where(audit_head.c.id == 1)).scalar() is not None


@app.command("checkpoint")
def checkpoint() -> None:
    """Print the chain's current head as SEQ:HASH, to be kept where the database's administrators cannot change it.

    Append it to a file on another system (a ticket, a log archive) and pass it back to `audit verify`.

    Example: ecm-gateway audit checkpoint >> /secure/audit-checkpoints.txt
    """
    database, log = _open(load_settings())
    try:
        head = log.checkpoint(database.engine)
    finally:
        database.dispose()
    typer.echo(f"{head.seq}:{head.hash}")


@app.command("show")
def show(
    subject: str | None = typer.Option(None, "--subject", help="Only entries about this child or CAF id."),
    after: int = typer.Option(0, "--after", min=0, help="Start after this entry number."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Entries to list."),
) -> None:
    """List audit entries in order: when, who (user and organisation), what, why, outcome, subject, ids returned.

    Example: ecm-gateway audit show --subject child-5f0c... --limit 20
    """
    database, log = _open(load_settings())
    try:
        entries = log.entries(database.engine, subject=subject, after=after, limit=limit)
    finally:
        database.dispose()
    table = Table(title=f"audit entries ({len(entries)})")
    for column in ("#", "at (UTC)", "who", "action", "why", "outcome", "subject", "ids returned"):
        table.add_column(column)
    for stored in entries:
        entry = stored.entry
        table.add_row(
            str(stored.seq),
            stored.at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{entry.actor_user} ({entry.actor_org})",
            entry.action,
            entry.reason,
            entry.outcome,
            entry.subject or "",
            str(len(entry.result_ids)),
        )
    console.print(table)
