"""Shared rich output for commands: consoles and the issue table (rule, location, message; never values)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TimeElapsedColumn
from rich.text import Text

from gateway.model import Issue, SourceLocation

__all__ = ["console", "describe_location", "error_console", "issue_table", "working"]

console = Console()
error_console = Console(stderr=True)


def working(*columns: str | ProgressColumn) -> Progress:
    """Progress for long work, shown on stderr between a spinner and the time elapsed, on a terminal only
    (never in a pipe or a log), and cleared when the work is done."""
    return Progress(
        SpinnerColumn(),
        *columns,
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=not error_console.is_terminal,
    )


_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "information": "blue"}


def describe_location(location: SourceLocation | None) -> str:
    """``file:line`` or ``file row N column C`` plus the path, in the supplier's own terms."""
    if location is None:
        return "-"
    parts: list[str] = []
    if location.file:
        parts.append(location.file + (f":{location.line}" if location.line else ""))
    elif location.line:
        parts.append(f"line {location.line}")
    if location.row is not None:
        parts.append(f"row {location.row}")
    if location.column:
        parts.append(f"column {location.column}")
    if location.path:
        parts.append(location.path)
    return " ".join(parts) or "-"


def issue_table(issues: Iterable[Issue], *, limit: int = 20, whole: str = "-", more: str = "") -> Group:
    """One line per issue (at most ``limit``, then a line saying how many more): severity, rule, where, message.

    Lines rather than a table so that nothing is truncated in narrow terminals or CI logs. ``whole`` is
    where an issue about the submission as a whole is said to be; ``more`` follows the count of the rest
    (how to see them all).
    """
    items = list(issues)
    lines: list[Text] = []
    for issue in items[:limit]:
        line = Text("   ")
        line.append(f"{issue.severity:<12}", style=_SEVERITY_STYLE.get(issue.severity, ""))
        line.append(f"{issue.rule}  ", style="bold")
        where = whole if issue.location is None else describe_location(issue.location)
        line.append(f"[{where}]  ", style="cyan")
        line.append(issue.message)
        lines.append(line)
    if len(items) > limit:
        lines.append(Text(f"   ... and {len(items) - limit} more{more}"))
    return Group(*lines)
