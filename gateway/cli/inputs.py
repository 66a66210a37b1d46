"""Reading supplier files named on the command line: existence checks and choosing the reader."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from gateway.cli.output import error_console
from gateway.formats import FormatReader, SourceFile
from gateway.plugins import Registry

__all__ = ["choose_reader", "fail", "read_sources"]


def fail(message: str) -> typer.Exit:
    """Print ``message`` on stderr and return the exit (status 2: unreadable input or wrong arguments)."""
    error_console.print(message)
    return typer.Exit(2)


def read_sources(files: Sequence[Path]) -> list[SourceFile]:
    """The files as sources, or exit 2 naming the first that cannot be read."""
    sources = []
    for path in files:
        if not path.is_file():
            raise fail(f"cannot read {path}: no such file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise fail(f"cannot read {path}: {exc.strerror or 'permission denied'}") from exc
        sources.append(SourceFile.from_path(path))
    return sources


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
        return reader
    first = sources[0]
    reader = registry.detect(first.name, first.head())
    if reader is None:
        raise fail(f"the format of {first.name} could not be detected; name it with {option}")
    return reader
