"""``ecm-gateway submit``: receive one submission from files, as a supplier would send it."""

from __future__ import annotations

from pathlib import Path

import typer

from gateway.cli.compose import build_intake, build_profile_note
from gateway.cli.output import console, error_console, issue_table
from gateway.settings import load_settings

__all__ = ["submit"]


def submit(
    files: list[Path] = typer.Argument(
        ..., help="The file(s) of one submission (e.g. all SSDA903 CSVs).", exists=False
    ),
    supplier: str = typer.Option(..., "--supplier", "-s", help="Supplier system id sending the message."),
    la_code: str = typer.Option(..., "--la", help="DfE three-digit LA number the message is for, e.g. 201."),
    format_id: str | None = typer.Option(None, "--format", "-f", help="Format id; detected from content if omitted."),
    message_id: str | None = typer.Option(None, "--message-id", help="Supplier's message id (default: a new UUID)."),
) -> None:
    """Receive a submission: keep its raw payload, read, map and check it, and record the outcome.

    Exit status: 0 accepted, 1 rejected (issues printed), 2 files unreadable or arguments wrong.

    Example: ecm-gateway submit census.xml --supplier acme-cms --la 201
    """
    payload: list[tuple[str, bytes]] = []
    for path in files:
        if not path.is_file():
            error_console.print(f"cannot read {path}: no such file")
            raise typer.Exit(2)
        payload.append((path.name, path.read_bytes()))
    if not (len(la_code) == 3 and la_code.isdigit()):
        error_console.print("--la must be a three-digit DfE LA number, e.g. 201")
        raise typer.Exit(2)
    settings = load_settings()
    intake = build_intake(settings)
    result = intake.submit(payload, supplier_id=supplier, la_code=la_code, format_id=format_id, message_id=message_id)
    message = result.message
    console.print(
        f"message {message.envelope.message_id}: [bold]{result.outcome}[/] "
        f"({message.envelope.format_id} {message.envelope.format_version or ''}) "
        f"{len(message.records)} child record(s), {result.error_count} error(s), {result.warning_count} warning(s)"
    )
    profile_note = build_profile_note(settings, intake.registry)
    if profile_note is not None:
        console.print(profile_note(message.envelope))
    if message.issues:
        console.print(issue_table(message.issues))
    raise typer.Exit(0 if result.outcome == "accepted" else 1)
