"""Reading a submission's files into table rows: CSV files told apart by their header, or 903 XML.

Every structural problem (unknown file, missing or extra column, repeated table) is an issue located at
the file and column. Cell values are not looked at here; that is :mod:`adapters.ssda903.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from adapters._csv import CsvHeader, CsvRecord, iter_csv
from adapters.ssda903.rows import TableRow
from adapters.ssda903.tables import EXTENSION_COLUMNS, identify_table
from adapters.ssda903.xml import iter_xml_rows
from gateway import Issue, SourceFile, SourceLocation

__all__ = ["Collected", "collect", "is_xml"]


@dataclass
class Collected:
    """All rows of a submission by table, the files each table came from, and the file-level issues."""

    rows: dict[str, list[TableRow]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    row_count: int = 0


def is_xml(head: bytes) -> bool:
    """True when the content starts like XML (after a BOM and whitespace)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _issue(rule: str, severity: str, message: str, file: str, column: str | None = None) -> Issue:
    return Issue.model_validate(
        {"rule": rule, "severity": severity, "message": message, "location": SourceLocation(file=file, column=column)}
    )


def _collect_csv(source: SourceFile, into: Collected) -> None:
    file = source.name
    table: str | None = None
    names: tuple[str, ...] = ()
    distinct = True
    rows: list[TableRow] = []
    for item in iter_csv(source):
        if isinstance(item, Issue):
            into.issues.append(item)
        elif isinstance(item, CsvHeader):
            names = tuple(name.upper() for name in item.names)
            distinct = len(set(names)) == len(names)
            match = identify_table(names, file)
            if match is None:
                into.issues.append(
                    _issue(
                        "read/ssda903/unknown-file",
                        "error",
                        "the header matches no SSDA903 table; the file was not read",
                        file,
                    )
                )
                return
            table = match.table
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    into.issues.append(
                        _issue(
                            "read/csv-duplicate-column",
                            "error",
                            "the column appears twice; the later one is ignored",
                            file,
                            name,
                        )
                    )
                seen.add(name)
            for column in match.missing:
                into.issues.append(
                    _issue(
                        "read/ssda903/missing-column", "error", f"the {table} file has no {column} column", file, column
                    )
                )
            for column in match.extra:
                into.issues.append(
                    _issue(
                        "read/ssda903/extra-column",
                        "warning",
                        f"{column} is not a column of the {table} file; it was ignored",
                        file,
                        column,
                    )
                )
            for column in sorted(EXTENSION_COLUMNS & set(names)):
                into.issues.append(
                    _issue(
                        "read/ssda903/extension-column",
                        "information",
                        f"{column} is not part of the return; it was used to "
                        + ("tell the LA" if column == "LA" else "tell the collection year"),
                        file,
                        column,
                    )
                )
        elif isinstance(item, CsvRecord) and table is not None:
            values = (
                dict(zip(names, item.cells, strict=True))
                if distinct
                else {name: cell for name, cell in reversed(list(zip(names, item.cells, strict=True)))}
            )
            rows.append(TableRow(table, values, file, item.row, item.line))
    if table is None:
        return
    if table in into.rows:
        into.issues.append(
            _issue(
                "read/ssda903/repeated-table",
                "warning",
                f"a second {table} file; its rows were added to the first",
                file,
            )
        )
    into.rows.setdefault(table, []).extend(rows)
    into.files.setdefault(table, []).append(file)
    into.row_count += len(rows)


def _collect_xml(source: SourceFile, into: Collected) -> None:
    tables: set[str] = set()
    for item in iter_xml_rows(source):
        if isinstance(item, Issue):
            into.issues.append(item)
            continue
        into.rows.setdefault(item.table, []).append(item)
        into.row_count += 1
        tables.add(item.table)
    for table in tables:
        into.files.setdefault(table, []).append(source.name)


def collect(files: Sequence[SourceFile]) -> Collected:
    """Read every file of the submission (CSV or XML, told by content)."""
    collected = Collected()
    for source in files:
        try:
            head = source.head(64)
        except OSError:
            collected.issues.append(_issue("read/unreadable", "error", "the file could not be opened", source.name))
            continue
        if is_xml(head):
            _collect_xml(source, collected)
        else:
            _collect_csv(source, collected)
    return collected
