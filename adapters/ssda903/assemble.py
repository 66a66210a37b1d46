"""Building one child's canonical record from its rows in every SSDA903 table, through the mappings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Final

from adapters.ssda903.checks import la_of_row
from adapters.ssda903.rows import TableRow
from gateway import ChildRecord, Issue, Severity
from gateway.mapping import MappedRow, MappingLibrary, RecordBuilder, SourceRow, parse_date

__all__ = ["MAPPED_TABLES", "ChildAssembler", "upn_step"]

MAPPED_TABLES: Final = {
    "episodes": "ssda903/episodes",
    "reviews": "ssda903/reviews",
    "missing": "ssda903/missing",
    "sw_episodes": "ssda903/sw-episodes",
    "uasc": "ssda903/uasc",
    "oc2": "ssda903/oc2",
    "oc3": "ssda903/oc3",
    "ad1": "ssda903/ad1",
    "placed_for_adoption": "ssda903/placed-for-adoption",
    "previous_permanence": "ssda903/previous-permanence",
}
"""Table -> the mapping that carries its rows into the canonical record (header -> ``ssda903/header``)."""
_UPN_REASON = re.compile(r"UN[1-7]")


def upn_step(row: SourceRow, mapped: MappedRow) -> None:
    """Mapping step ``ssda903:upn``: the UPN column holds a UPN, or UN1-UN7 when it is unknown and why."""
    raw = row.values.get("UPN")
    if raw is None or not raw.strip():
        return
    text = "".join(raw.split()).upper()
    if _UPN_REASON.fullmatch(text):
        mapped.set("upn_unknown_reason", text, location=row.location("UPN"), step="ssda903/header:UPN")
    else:
        mapped.set("upn", text, location=row.location("UPN"), step="ssda903/header:UPN")


def _issue(rule: str, child: str, message: str, location: dict[str, Any], severity: Severity = "error") -> Issue:
    return Issue.model_validate(
        {"rule": rule, "severity": severity, "child": child, "message": message, "location": location}
    )


class ChildAssembler:
    """Maps the rows of one child at a time; holds what is the same for every child of the submission."""

    def __init__(
        self,
        library: MappingLibrary,
        la_code: str | None,
        la_location: dict[str, Any],
        flagged: set[tuple[Any, ...]],
        *,
        has_header: bool,
        la_declared: bool,
    ) -> None:
        self.library = library
        self.la_code = la_code
        self.la_location = la_location
        self.flagged = flagged
        self.has_header = has_header
        self.la_declared = la_declared

    def _la(self, child: str, first: TableRow, extra: list[Issue]) -> tuple[str | None, dict[str, Any]]:
        la_code, la_location = self.la_code, self.la_location
        row_la = la_of_row(first, self.library.tables)
        if row_la is None:
            return la_code, la_location
        if la_code is not None and row_la != la_code:
            extra.append(
                _issue(
                    "read/ssda903/la-mismatch",
                    child,
                    f"the row's LA ({row_la}) is not the submission's LA ({la_code})",
                    first.location("LA"),
                )
            )
        if not self.la_declared:
            return row_la, first.location("LA")
        return la_code, la_location

    def _header_row(self, child: str, tables: dict[str, list[TableRow]], extra: list[Issue]) -> TableRow:
        headers = tables.get("header", [])
        for duplicate in headers[1:]:
            extra.append(
                _issue(
                    "read/ssda903/duplicate-child",
                    child,
                    "the child appears more than once in the header file; only the first row was used",
                    duplicate.location("CHILD"),
                )
            )
        if headers:
            return headers[0]
        first = next(iter(tables.values()))[0]
        if self.has_header:
            extra.append(
                _issue(
                    "read/ssda903/child-not-in-header",
                    child,
                    f"the child is in the {first.table} file but not in the header file",
                    first.location("CHILD"),
                )
            )
        return TableRow(
            "header",
            {"CHILD": first.values.get("CHILD", "")},
            first.file,
            first.row,
            first.line,
            first.locations,
            first.path,
        )

    def assemble(
        self, child: str, tables: dict[str, list[TableRow]], record_index: int
    ) -> tuple[ChildRecord | None, list[Issue]]:
        """The child's record (``None`` if it cannot be built) and every issue about it."""
        builder = RecordBuilder(child=child, record_index=record_index)
        extra: list[Issue] = []
        first = next(iter(tables.values()))[0]
        la_code, la_location = self._la(child, first, extra)
        header_row = self._header_row(child, tables, extra)
        if la_code is not None:
            header_row.values["$la_code"] = la_code
            header_row.locations = {**(header_row.locations or {}), "$la_code": la_location}
        header_spec = self.library.get("ssda903/header")
        mapped_header = header_spec.apply(header_row.source_row(), child=child, prefix=builder.next_prefix(header_spec))
        builder.add(header_spec, mapped_header)
        extra.extend(_consistency(child, header_row, tables))
        for table, mapping_id in MAPPED_TABLES.items():
            rows = tables.get(table)
            if not rows:
                continue
            spec = self.library.get(mapping_id)
            if table == "episodes" and len(rows) > 1:
                rows = sorted(rows, key=_start)  # stable: equal or unreadable DECOMs keep the file's order
            if not spec.target.endswith("/-"):  # a table with at most one row per child: one part, not a list
                extra.extend(_repeated(child, table, rows[1:]))
                rows = rows[:1]
                # The part is there even when every cell is blank (a UASC row with no DUC says the child is UASC).
                builder.set(spec.target, {}, location=rows[0].location("CHILD"), step=f"ssda903-csv:{table}-row")
            for number, row in enumerate(rows, start=1):
                if la_code is not None and table == "sw_episodes":
                    row.values["$la_code"] = la_code
                    row.locations = {**(row.locations or {}), "$la_code": la_location}
                result = spec.apply(row.source_row(), child=child, prefix=builder.next_prefix(spec))
                prefix = builder.add(spec, result)
                if table == "episodes":
                    builder.set(
                        f"{prefix}/episode_id",
                        f"{child}:{number}",
                        location=row.location("DECOM"),
                        step="ssda903-csv:episode-id",
                    )
        record = builder.build()
        return record, self._unflagged_issues(builder.issues) + extra  # the mapped rows' issues are among them

    def _unflagged_issues(self, issues: list[Issue]) -> list[Issue]:
        """``issues`` without those on cells the column spec already reported (e.g. a code the canonical
        model refuses, which the year's spec reported first)."""
        if not issues or not self.flagged:
            return issues
        return [
            issue
            for issue in issues
            if issue.location is None
            or (issue.location.file, issue.location.row, issue.location.line, issue.location.column) not in self.flagged
        ]


def _repeated(child: str, table: str, rows: list[TableRow]) -> Iterator[Issue]:
    """A child has at most one row in ``table``: each further row is reported and not used."""
    for row in rows:
        message = f"the child has more than one row in the {table} file; only the first was used"
        yield _issue("read/ssda903/repeated-row", child, message, row.location("CHILD"), severity="warning")


def _consistency(child: str, header: TableRow, tables: dict[str, list[TableRow]]) -> Iterator[Issue]:
    """DOB (and SEX in uasc) repeated in other tables must agree with the header."""
    for column, owners in (("DOB", tuple(tables)), ("SEX", ("uasc",))):
        expected = header.values.get(column, "").strip()
        if not expected:
            continue
        for table in owners:
            if table == "header":
                continue
            for row in tables.get(table, ()):
                value = row.values.get(column, "").strip()
                if value and value != expected and not _same_date(value, expected):
                    yield _issue(
                        f"read/ssda903/{column.lower()}-mismatch",
                        child,
                        f"{column} in the {table} file differs from the header file",
                        row.location(column),
                    )


def _read_date(text: str) -> date | None:
    try:
        return parse_date(text, "dd/mm/yyyy") or parse_date(text, "yyyy-mm-dd")
    except ValueError:
        return None


def _start(row: TableRow) -> date:
    """The episode's DECOM for ordering (``date.max`` when blank or unreadable)."""
    return _read_date(row.values.get("DECOM", "").strip()) or date.max


def _same_date(left: str, right: str) -> bool:
    found = _read_date(left)
    return found is not None and found == _read_date(right)
