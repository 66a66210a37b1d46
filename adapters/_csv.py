"""Robust CSV reading shared by the CSV readers (SSDA903, person-csv): every problem is an Issue.

What suppliers' CSV exports really contain, and what happens to it here:

* a UTF-8 byte order mark -> removed; UTF-16 (with BOM) -> decoded, with a ``read/encoding`` warning;
  bytes that are not UTF-8 -> read as Windows-1252 (Excel's "CSV" on Windows), with a warning naming the
  first bad line;
* NUL bytes -> removed, with a ``read/nul-byte`` error (often a UTF-16 file without a BOM);
* CRLF, LF or CR line ends -> all accepted;
* an unbalanced quote (which would swallow the rest of the file), or a quoted cell running over more line
  breaks than the format allows -> ``read/csv-quote`` on its line, saying which; that line is read with its
  quotes taken literally and reading goes on at the next line;
* a field over the size limit -> ``read/csv-field-too-large``; the record is skipped;
* rows with fewer cells than the header -> ``read/csv-short-row`` (missing cells read as blank); more
  non-blank cells -> ``read/csv-long-row`` (extra cells ignored);
* cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR that are not plain numbers, dates or phone
  numbers -> ``read/csv-formula`` (the value is kept as text and never evaluated; the warning protects
  whoever opens an export in a spreadsheet).

Nothing here raises on bad data. Messages name lines and columns, never cell values.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from gateway import Issue, SourceFile

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CsvHeader",
    "CsvRecord",
    "decode_text",
    "iter_csv",
    "looks_like_formula",
]

DEFAULT_MAX_BYTES: Final = 256 * 1024 * 1024
_FORMULA_START: Final = frozenset("=+-@\t\r")
_PLAIN_VALUE = re.compile(r"[+-]?[0-9][0-9 ().,/:-]*")
_MAYBE_FORMULA = re.compile("\x1f[=+\\-@\t\r]")


@dataclass(frozen=True, slots=True)
class CsvHeader:
    """The header record: cell texts stripped of surrounding whitespace, and its line."""

    names: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One data record: ``row`` is 1-based after the header; ``line`` is where it starts."""

    row: int
    line: int
    cells: list[str]


def looks_like_formula(cell: str) -> bool:
    """True when a spreadsheet could execute ``cell`` (it starts like a formula and is not a plain value)."""
    return bool(cell) and cell[0] in _FORMULA_START and _PLAIN_VALUE.fullmatch(cell) is None


def _issue(rule: str, severity: str, message: str, file: str, **where: object) -> Issue:
    return Issue.model_validate(
        {
            "rule": rule,
            "severity": severity,
            "message": message,
            "location": {"file": file, **{k: v for k, v in where.items() if v is not None}},
        }
    )


def decode_text(data: bytes, file: str) -> tuple[str, list[Issue]]:
    """Bytes -> text with the encoding problems as issues (never raises)."""
    issues: list[Issue] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        issues.append(_issue("read/encoding", "warning", "the file is UTF-16; send UTF-8", file))
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            issues.append(
                _issue(
                    "read/encoding",
                    "warning",
                    "the file is not valid UTF-8; it was read as Windows-1252 (check accented letters) - send UTF-8",
                    file,
                    line=line,
                )
            )
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        issues.append(
            _issue(
                "read/nul-byte",
                "error",
                "the file contains NUL bytes (a UTF-16 file without a byte order mark?); they were removed",
                file,
                line=line,
            )
        )
        text = text.replace("\x00", "")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, issues


def _split_lines(text: str) -> list[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\n" not in text or text.count("\r") > text.count("\n"):
            text = text.replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _literal(line: str) -> list[str]:
    """Read one physical line with quotes as ordinary characters (after an unbalanced quote)."""
    return next(csv.reader([line], quoting=csv.QUOTE_NONE), [])


def _records(lines: list[str], file: str, max_span: int) -> Iterator[tuple[int, list[str]] | Issue]:
    """(1-based start line, cells) for each record, with quote/size problems as issues."""
    start_index = 0
    total = len(lines)
    while start_index < total:
        feed = (line + "\n" for line in itertools.islice(lines, start_index, None))
        reader = csv.reader(feed, strict=False)
        consumed = 0
        restart: int | None = None
        try:
            for parsed in reader:
                cells = parsed
                first = start_index + consumed
                consumed = reader.line_num
                span = consumed - (first - start_index)
                if span > max_span:
                    closed = sum(line.count('"') for line in lines[first : first + span]) % 2 == 0
                    problem = (
                        f"a quoted cell starting on this line runs over {span - 1} line break(s), which this "
                        "format does not allow"
                        if closed
                        else "a quote opened on this line is never closed"
                    )
                    yield _issue(
                        "read/csv-quote",
                        "error",
                        f"{problem}; the line was read with its quotes as plain characters",
                        file,
                        line=first + 1,
                    )
                    yield first + 1, _literal(lines[first])
                    restart = first + 1
                    break
                line_text = lines[first]
                if span == 1 and '"' in line_text and line_text.count('"') % 2:
                    yield _issue(
                        "read/csv-quote",
                        "error",
                        "the line has an unbalanced quote; it was read with its quotes as plain characters",
                        file,
                        line=first + 1,
                    )
                    cells = _literal(line_text)
                yield first + 1, cells
        except csv.Error as exc:
            failed = start_index + max(reader.line_num, 1)
            problem = str(exc)
            if "field larger than field limit" in problem:
                yield _issue(
                    "read/csv-field-too-large",
                    "error",
                    "a cell is larger than the 128 KB limit; the record was skipped",
                    file,
                    line=failed,
                )
            else:
                yield _issue(
                    "read/csv-syntax",
                    "error",
                    "the line cannot be read as CSV (stray line break or quote); it was skipped",
                    file,
                    line=failed,
                )
            restart = failed
        if restart is None:
            return
        start_index = restart


def iter_csv(
    source: SourceFile,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_span: int = 1,
    check_formulas: bool = True,
) -> Iterator[CsvHeader | CsvRecord | Issue]:
    """Read one CSV file: its header, then its records, with every problem as an issue.

    ``max_span`` is how many physical lines one record may take (1 = quoted line breaks not allowed; a
    larger value allows them in quoted cells). Blank lines are skipped.
    """
    file = source.name
    try:
        with source.open() as stream:
            data = stream.read(max_bytes + 1)
    except OSError:
        yield _issue("read/unreadable", "error", "the file could not be opened", file)
        return
    if len(data) > max_bytes:
        yield _issue("read/too-large", "error", f"the file is larger than {max_bytes // (1024 * 1024)} MB", file)
        return
    text, issues = decode_text(data, file)
    yield from issues
    header: CsvHeader | None = None
    width = 0
    row = 0
    for item in _records(_split_lines(text), file, max_span):
        if isinstance(item, Issue):
            yield item
            continue
        line, cells = item
        if not "".join(cells).strip():
            continue
        if header is None:
            header = CsvHeader(tuple(cell.strip() for cell in cells), line)
            width = len(cells)
            yield header
            continue
        row += 1
        if len(cells) != width:
            if len(cells) < width:
                yield _issue(
                    "read/csv-short-row",
                    "warning",
                    f"the row has {len(cells)} cells and the header {width}; the missing cells are blank",
                    file,
                    row=row,
                    line=line,
                )
                cells = cells + [""] * (width - len(cells))
            else:
                if any(cell.strip() for cell in cells[width:]):
                    yield _issue(
                        "read/csv-long-row",
                        "error",
                        f"the row has {len(cells)} cells and the header {width}; the extra cells were "
                        "ignored (an unquoted comma?)",
                        file,
                        row=row,
                        line=line,
                    )
                cells = cells[:width]
        if check_formulas and _MAYBE_FORMULA.search("\x1f" + "\x1f".join(cells)):
            for index, cell in enumerate(cells):
                if cell and cell[0] in _FORMULA_START and _PLAIN_VALUE.fullmatch(cell) is None:
                    yield _issue(
                        "read/csv-formula",
                        "warning",
                        "the cell starts like a spreadsheet formula; it was read as text, never evaluated",
                        file,
                        row=row,
                        line=line,
                        column=header.names[index] or str(index + 1),
                    )
        yield CsvRecord(row, line, cells)
    if header is None:
        yield _issue("read/empty", "error", "the file has no header row", file)
