"""Reading supplier files named on the command line: existence checks and choosing the reader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from gateway.cli.output import error_console
from gateway.formats import FormatReader, SourceFile
from gateway.plugins import Registry

__all__ = ["check_output", "choose_reader", "fail", "read_sources", "unreadable"]


def fail(message: str) -> typer.Exit:
    """Print ``message`` on stderr and return the exit (status 2: unreadable input or wrong arguments)."""
    error_console.print(message, markup=False, highlight=False)
    return typer.Exit(2)


def unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a supplier file (missing, a folder, empty, not permitted), or ``None``."""
    if path.is_dir():
        return f"{path} is a folder, not a file: name the files in it (e.g. {path / '*'})"
    if not path.exists():
        return f"cannot read {path}: no such file (check the name and the folder you are in)"
    if not path.is_file():
        return f"cannot read {path}: not a regular file"
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or 'permission denied'}"
    if path.stat().st_size == 0:
        return f"{path} is empty (0 bytes): was it copied or exported completely?"
    return None


def read_sources(files: Sequence[Path]) -> list[SourceFile]:
    """The files as sources, or exit 2 naming the first that cannot be read."""
    sources = []
    for path in files:
        problem = unreadable(path)
        if problem is not None:
            raise fail(problem)
        sources.append(SourceFile.from_path(path))
    return sources


def check_output(path: Path | None, option: str = "--output") -> None:
    """Exit 2 before any work when the report could not be written to ``path``."""
    if path is None:
        return
    if path.is_dir():
        raise fail(f"{option} {path} is a folder: name a file in it (e.g. {path / 'report'})")
    parent = path.parent
    if not parent.is_dir():
        raise fail(f"{option} {path}: the folder {parent} does not exist; create it first")


def choose_reader(
    registry: Registry, sources: Sequence[SourceFile], input_format: str | None, *, option: str = "--input-format"
) -> FormatReader:
    """The reader named by ``input_format``, or the one that recognises the first file; exit 2 otherwise.

    ``option`` is the command's own name for the format option, used in the message.
    """
    if input_format is not None:
        reader = registry.reader(input_format)
        if reader is None:
            raise fail(f"unknown input format {input_format!r}; formats: {', '.join(sorted(registry.readers))}")
        first = sources[0]
        if not reader.sniff(first.name, first.head()):
            detected = registry.detect(first.name, first.head())
            looks = f"; it looks like {detected.format_id}" if detected is not None else ""
            error_console.print(
                f"note: {first.name} does not look like {input_format}{looks}; it is read as {input_format} "
                f"because {option} says so",
                markup=False,
                highlight=False,
            )
        return reader
    first = sources[0]
    reader = registry.detect(first.name, first.head())
    if reader is None:
        raise fail(
            f"the format of {first.name} could not be detected from its name and first bytes; if it is one of "
            f"these formats, name it with {option}: {', '.join(sorted(registry.readers))}"
        )
    return reader
