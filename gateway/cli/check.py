"""``ecm-gateway check``: run a conformance profile over supplier files and write a report."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, TextColumn

from gateway.cli.compose import build_registry
from gateway.cli.inputs import check_output, choose_reader, fail, read_sources
from gateway.cli.output import error_console, working
from gateway.errors import ConfigurationError
from gateway.formats import FormatReader, ReadEvent, SourceFile, SubmissionAwareReader, SubmissionHeader
from gateway.pipeline import la_code_mismatch
from gateway.settings import load_settings

__all__ = ["check"]

_FORMATS = ("text", "json", "junit", "html", "fhir")
_SSDA903 = "ssda903-csv"


def _checked_arguments(report_format: str, as_of: str | None, la_code: str | None) -> date:
    """The day to judge dates as of, or exit 2 naming the option given wrongly."""
    if report_format not in _FORMATS:
        raise fail(f"--format must be one of {', '.join(_FORMATS)}")
    if la_code is not None and not (len(la_code) == 3 and la_code.isdigit()):
        raise fail("--la must be a three-digit DfE LA number, e.g. 201")
    try:
        return date.fromisoformat(as_of) if as_of else date.today()
    except ValueError as exc:
        raise fail("--as-of must be a date, YYYY-MM-DD") from exc


class _SubmittedFor:
    """A reader as ``submit --la`` uses it: told the LA, and a file declaring another LA is an error."""

    def __init__(self, reader: FormatReader, la_code: str) -> None:
        declared = SubmissionHeader(format_id=reader.format_id, la_code=la_code)
        self._reader = reader.for_submission(declared) if isinstance(reader, SubmissionAwareReader) else reader
        self._la_code = la_code
        self.format_id = reader.format_id
        self.description = reader.description

    def sniff(self, name: str, head: bytes) -> bool:
        return self._reader.sniff(name, head)

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        for event in self._reader.read(files):
            yield event
            if isinstance(event, SubmissionHeader):
                mismatch = la_code_mismatch(event, self._la_code, "is checked with --la for")
                if mismatch is not None:
                    yield mismatch


def _for_submission(reader: FormatReader, la_code: str | None) -> FormatReader:
    """The reader as ``submit`` would use it for a submission declared for ``la_code``."""
    return reader if la_code is None else _SubmittedFor(reader, la_code)


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
    la_code: str | None = typer.Option(
        None,
        "--la",
        help="DfE three-digit LA number the files are for, as `submit --la` gives it (an SSDA903 return names none).",
    ),
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

    today = _checked_arguments(report_format, as_of, la_code)
    settings = load_settings()
    registry = build_registry(settings)
    default = settings.profile if settings.profile != "none" else "ics-1c"
    selection = ProfileSelection(Catalogue.of(registry.rule_packs.values()), default=default, explicit=profile)
    try:
        selection.resolved(profile or default)
    except ConfigurationError as exc:
        raise fail(str(exc)) from exc
    sources = read_sources(files)
    check_output(output)
    groups = [sources] if together else [[source] for source in sources]
    readers = [_for_submission(choose_reader(registry, group, input_format), la_code) for group in groups]
    if len(groups) > 1 and all(reader.format_id == _SSDA903 for reader in readers):
        error_console.print(
            f"note: {len(groups)} SSDA903 files are checked one by one; the files of one return are checked "
            "together with --together (and the LA they are for with --la)",
            markup=False,
        )
    submissions = []
    with working(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} file(s)  {task.fields[records]} record(s)"),
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
