"""``ecm-gateway check``: run a conformance profile over supplier files and write a report."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gateway.cli.compose import build_registry
from gateway.cli.inputs import choose_reader, fail, read_sources
from gateway.cli.output import error_console
from gateway.errors import ConfigurationError
from gateway.settings import load_settings

__all__ = ["check"]

_FORMATS = ("text", "json", "junit", "html", "fhir")


def check(  # noqa: PLR0917 - typer options
    files: list[Path] = typer.Argument(
        ..., help="Supplier file(s) to check (each is one submission unless --together)."
    ),
    profile: str | None = typer.Option(
        None,
        "--profile",
        "-p",
        help=(
            "Built-in profile id or profile YAML path, for every file. Default: per format - a CIN census file "
            "the DfE pack of its census year, SSDA903 ics-1b, any other ECM_PROFILE (ics-1c)."
        ),
    ),
    report_format: str = typer.Option("text", "--format", "-f", help="Report format: text, json, junit, html, fhir."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here instead of to stdout."),
    input_format: str | None = typer.Option(
        None, "--input-format", "-i", help="Format id of the files (e.g. cin-census-xml); detected if omitted."
    ),
    together: bool = typer.Option(False, "--together", help="Read all the files as one submission (e.g. SSDA903)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge dates as of this day (YYYY-MM-DD; default today)."),
) -> None:
    """Check supplier files against a conformance profile (ICS 1B/1C, DfE CIN census) and report every issue.

    Each issue names its rule, severity, message (never a value from the file), the place in the supplier's
    file and the LA child id. Exit status: 0 no error-level issue, 1 any error, 2 files unreadable or
    arguments wrong.

    Example: ecm-gateway check census.xml --profile cin-census-2024-25 --format html --output report.html
    """
    from conformance.catalogue import Catalogue  # noqa: PLC0415 - composition root, imported on use
    from conformance.reports import CheckReport, render  # noqa: PLC0415
    from conformance.runner import check_submission  # noqa: PLC0415
    from conformance.selection import ProfileSelection  # noqa: PLC0415

    if report_format not in _FORMATS:
        raise fail(f"--format must be one of {', '.join(_FORMATS)}")
    try:
        today = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError as exc:
        raise fail("--as-of must be a date, YYYY-MM-DD") from exc
    settings = load_settings()
    registry = build_registry(settings)
    default = settings.profile if settings.profile != "none" else "ics-1c"
    selection = ProfileSelection(Catalogue.of(registry.rule_packs.values()), default=default, explicit=profile)
    try:
        selection.resolved(profile or default)
    except ConfigurationError as exc:
        raise fail(str(exc)) from exc
    sources = read_sources(files)
    groups = [sources] if together else [[source] for source in sources]
    readers = [choose_reader(registry, group, input_format) for group in groups]
    submissions = []
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} file(s)  {task.fields[records]} record(s)"),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=not error_console.is_terminal,
    ) as progress:
        task = progress.add_task("checking", total=len(groups), records=0)
        done = 0
        for group, reader in zip(groups, readers, strict=True):
            progress.update(task, description=f"checking {group[0].name}")

            def advance(count: int, base: int = done) -> None:
                if count % 200 == 0:
                    progress.update(task, records=base + count)

            result = check_submission(group, reader, selection, today=today, on_record=advance)
            done += result.records
            submissions.append(result)
            progress.update(task, advance=1, records=done)
    first = submissions[0].profile if submissions else None
    report = CheckReport(
        profile=first or selection.resolved(profile or default), checked_at=datetime.now(UTC), submissions=submissions
    )
    if any(issue.rule == "read/io" for issue in report.issues()):
        raise fail("a file could not be read")
    data = render(report, report_format)
    if output is not None:
        output.write_bytes(data)
        for submission in submissions:  # the report says so too; this is for the person at the terminal
            error_console.print(
                f"{', '.join(submission.files)}: profile {submission.profile_id} - {submission.profile_reason}"
            )
        verdict = "FAILED" if report.failed else "passed"
        error_console.print(
            f"{verdict}: {report.records} record(s), {report.count('error')} error(s), "
            f"{report.count('warning')} warning(s); {report_format} report written to {output}"
        )
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    raise typer.Exit(1 if report.failed else 0)
