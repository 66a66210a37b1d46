"""``ecm-gateway convert`` and ``ecm-gateway explain``: supplier files to canonical form, field by field."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.progress import TextColumn
from rich.table import Table

from gateway.cli.compose import build_registry
from gateway.cli.inputs import check_output, choose_reader, fail, read_sources
from gateway.cli.output import console, describe_location, error_console, issue_table, working
from gateway.formats import FormatReader, SourceFile
from gateway.model import ChildRecord, Issue
from gateway.settings import load_settings

__all__ = ["convert", "explain"]

_TARGETS = {"canonical": "canonical-jsonl", "fhir": "fhir-r4-json"}


def _stream(reader: FormatReader, sources: Sequence[SourceFile], issues: list[Issue]) -> Iterator[ChildRecord]:
    for event in reader.read(sources):
        if isinstance(event, ChildRecord):
            yield event
        elif isinstance(event, Issue):
            issues.append(event)


def convert(
    files: list[Path] = typer.Argument(..., help="The file(s) of one submission."),
    to: str = typer.Option("canonical", "--to", help="canonical (JSON Lines, one ChildRecord per line) or fhir."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of to stdout."),
    input_format: str | None = typer.Option(None, "--input-format", "-i", help="Format id; detected if omitted."),
) -> None:
    """Convert supplier files to canonical JSON Lines (streamed) or a FHIR R4 Bundle; issues go to stderr.

    Every record carries its lineage: where each field came from in the supplier's file. Exit status: 0 no
    error-level issue while reading, 1 any, 2 unreadable files or wrong arguments.

    Example: ecm-gateway convert census.xml --to canonical --output children.jsonl
    """
    if to not in _TARGETS:
        raise fail(f"--to must be one of {', '.join(_TARGETS)}")
    registry = build_registry(load_settings())
    sources = read_sources(files)
    check_output(output)
    reader = choose_reader(registry, sources, input_format)
    writer = registry.writers[_TARGETS[to]]
    issues: list[Issue] = []
    count = 0
    sink = output.open("wb") if output is not None else sys.stdout.buffer
    try:
        with working(
            TextColumn("{task.description}"),
            TextColumn("{task.completed} records"),
        ) as progress:
            task = progress.add_task(f"converting ({reader.format_id})", total=None)
            if to == "canonical":
                # JSON Lines streams: memory stays bounded whatever the file size.
                for record in _stream(reader, sources, issues):
                    sink.write(writer.write([record]))
                    count += 1
                    progress.advance(task)
            else:
                records = list(_stream(reader, sources, issues))
                count = len(records)
                sink.write(writer.write(records))
    finally:
        if output is not None:
            sink.close()
    errors = sum(1 for issue in issues if issue.severity == "error")
    error_console.print(f"{count} child record(s) from {reader.format_id}; {len(issues)} issue(s), {errors} error(s)")
    if issues:
        error_console.print(issue_table(issues, limit=20))
    raise typer.Exit(1 if errors else 0)


def _pointer_value(data: Any, pointer: str) -> Any:
    node = data
    for part in pointer.lstrip("/").split("/") if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            index = int(key) if key.isdigit() else -1
            node = node[index] if 0 <= index < len(node) else None
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    return node


def _matches(record: ChildRecord, child: str) -> bool:
    return any(local.la_child_id == child for local in record.child.local_ids) or record.child.child_id == child


def explain(
    file: Path = typer.Argument(..., help="The supplier file."),
    child: str = typer.Option(..., "--child", "-c", help="LA child id (or gateway child id) of the record."),
    input_format: str | None = typer.Option(None, "--input-format", "-i", help="Format id; detected if omitted."),
) -> None:
    """Show each canonical field of one child beside where it came from in the supplier's file.

    This prints the child's data: use it on your own files, on your own machine.

    Example: ecm-gateway explain census.xml --child SYN0000001
    """
    registry = build_registry(load_settings())
    sources = read_sources([file])
    reader = choose_reader(registry, sources, input_format)
    issues: list[Issue] = []
    read = 0
    record = None
    for candidate in _stream(reader, sources, issues):
        read += 1
        if _matches(candidate, child):
            record = candidate
            break
    if record is None:
        raise fail(
            f"no child {child!r} among the {read} child record(s) read from {file.name}: give the LA child id "
            "exactly as the file writes it (e.g. LAchildID, CHILD, la_child_id) or the gateway child id"
        )
    data = orjson.loads(orjson.dumps(record.model_dump(mode="json", exclude={"lineage"})))
    table = Table(title=f"child {child} ({reader.format_id})")
    for column in ("canonical field", "value", "from (supplier's file)", "mapping step"):
        table.add_column(column, overflow="fold")
    for source in record.lineage:
        value = _pointer_value(data, source.field)
        table.add_row(source.field, "" if value is None else str(value), describe_location(source.source), source.step)
    console.print(table)
    unexplained = len(record.lineage) == 0
    if unexplained:
        console.print("this reader records no lineage for the record")
    own = [issue for issue in issues if issue.child == child]
    if own:
        console.print(issue_table(own))
