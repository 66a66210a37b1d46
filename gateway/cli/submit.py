"""``ecm-gateway submit``: receive one submission from files, as a supplier would send it."""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import TextColumn

from gateway.cli.compose import build_intake, build_profile_note
from gateway.cli.inputs import fail, unreadable
from gateway.cli.output import console, error_console, issue_table, working
from gateway.errors import StorageError
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
    if not (len(la_code) == 3 and la_code.isdigit()):
        raise fail("--la must be a three-digit DfE LA number, e.g. 201")
    payload: list[tuple[str, bytes]] = []
    for path in files:
        problem = unreadable(path)
        if problem is not None:
            raise fail(problem)
        payload.append((path.name, path.read_bytes()))
    settings = load_settings()
    intake = build_intake(settings)
    if format_id is not None and intake.registry.reader(format_id) is None:
        raise fail(f"unknown --format {format_id!r}; formats: {', '.join(sorted(intake.registry.readers))}")
    message_id = message_id or str(uuid.uuid4())  # named here so that an interrupted submission can be found
    size = sum(len(data) for _, data in payload)
    with working(
        TextColumn("{task.description}"),
    ) as progress:  # a large return takes a while: show that it is working (on a terminal only)
        progress.add_task(
            f"receiving {len(payload)} file(s), {size / 1_000_000:.1f} MB: keeping, reading, checking, matching",
            total=None,
        )
        try:
            result = intake.submit(
                payload, supplier_id=supplier, la_code=la_code, format_id=format_id, message_id=message_id
            )
        except KeyboardInterrupt:
            error_console.print(
                f"interrupted: message {message_id} may have been kept without an outcome; "
                f"`ecm-gateway replay --message {message_id}` finishes it (`ecm-gateway ledger` shows it in flight)",
                markup=False,
            )
            raise typer.Exit(130) from None
        except StorageError as exc:
            if "different payload" not in str(exc):
                raise
            raise fail(
                f"--message-id {message_id} was already used for different files: a message id names one payload "
                "(sending the same files again under it is harmless); give these files a new --message-id"
            ) from exc
    message = result.message
    envelope = message.envelope
    read_as = " ".join(part for part in (envelope.format_id, envelope.format_version) if part)
    console.print(
        f"message {escape(envelope.message_id)}: [bold]{result.outcome}[/] ({escape(read_as)}) "
        f"{len(message.records)} child record(s), {result.error_count} error(s), {result.warning_count} warning(s)"
    )
    profile_note = build_profile_note(settings, intake.registry)
    if profile_note is not None:
        console.print(profile_note(message.envelope))
    if message.issues:
        names = shlex.join(str(path) for path in files)
        console.print(
            issue_table(
                message.issues,
                whole=files[0].name if len(files) == 1 else "the submission",
                more=f": `ecm-gateway check {names}` lists every one",
            )
        )
    raise typer.Exit(0 if result.outcome == "accepted" else 1)
