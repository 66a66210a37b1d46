"""The ``ssda903-csv`` reader: an SSDA903 submission (CSV files or 903 XML) into canonical records.

Steps: collect the files' rows (tables told by their header columns), choose the year and the LA, check
every cell against the year's column spec, join the tables on CHILD, and map each child through the
declarative mappings in ``mappings/ssda903/``: header -> Child, episodes -> LookedAfterEpisode (ordered
by DECOM), reviews -> Review, missing -> MissingEpisode, sw_episodes -> Involvement, uasc -> UascStatus,
oc2 -> LookedAfterOutcomes, oc3 -> CareLeaver, ad1 -> Adoption, placed_for_adoption -> AdoptionDecision,
previous_permanence -> PreviousPermanence (see :data:`adapters.ssda903.assemble.MAPPED_TABLES`).

The LA number is not in the return: the reader takes it from the declared submission (the envelope's LA,
passed through :meth:`Ssda903Reader.for_submission`), else from an ``LA`` column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from adapters.ssda903.assemble import ChildAssembler, upn_step
from adapters.ssda903.checks import YearChoice, check_cells, choose_year, la_of_row
from adapters.ssda903.collect import Collected, collect, is_xml
from adapters.ssda903.rows import TableRow
from adapters.ssda903.spec import collection_year_label, load_year, parse_year
from gateway import Issue, ReadEvent, SourceFile, SourceLocation, SubmissionHeader
from gateway.mapping import MappingLibrary

__all__ = ["FORMAT_ID", "Ssda903Reader"]

FORMAT_ID: Final = "ssda903-csv"
_SNIFF_COLUMNS: Final = (
    b"DECOM",
    b"REVIEW_CODE",
    b"MIS_START",
    b"DUC",
    b"SW_ID",
    b"IN_TOUCH",
    b"DATE_INT",
    b"PREV_PERM",
    b"DATE_PLACED",
    b"SDQ_SCORE",
    b"ETHNIC",
)


@dataclass(frozen=True)
class _Context:
    la_code: str | None
    la_location: dict[str, Any]
    year: YearChoice


class Ssda903Reader:
    """Reads SSDA903 submissions. Options: ``la_code`` (DfE LA number) and ``year`` (``2025`` or ``2024-25``)."""

    format_id = FORMAT_ID
    description = "SSDA903 children looked after return: CSV files (header, episodes, ...) or 903 XML"

    def __init__(
        self, *, la_code: str | None = None, year: str | int | None = None, library: MappingLibrary | None = None
    ) -> None:
        self.la_code = la_code
        self.year = parse_year(str(year)) if year is not None else None
        self._year_text = None if year is None else str(year)
        self._library = library

    def for_submission(self, declared: SubmissionHeader) -> Ssda903Reader:
        """A reader for one submission whose envelope declares its LA (and maybe its year)."""
        configured = Ssda903Reader(
            la_code=declared.la_code or self.la_code,
            year=declared.format_version or self._year_text,
            library=self._library,
        )
        return configured

    @property
    def library(self) -> MappingLibrary:
        if self._library is None:
            self._library = MappingLibrary(steps={"ssda903:upn": upn_step})
        return self._library

    def sniff(self, name: str, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if is_xml(text):
            return b"<CHILDID" in head or b"EXPSSDA903" in head
        first_line = text.split(b"\n", 1)[0].upper()
        return b"CHILD" in first_line and any(column in first_line for column in _SNIFF_COLUMNS)

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        collected = collect(files)
        issues: list[Issue] = list(collected.issues)
        if self._year_text is not None and self.year is None:
            issues.append(
                Issue(
                    rule="read/ssda903/year-option",
                    severity="error",
                    message="the year given is not a supported SSDA903 year (2017 to 2026, or "
                    "2016-17 to 2025-26); the year was taken from the data",
                )
            )
        year = choose_year(collected, self.year, issues)
        context = self._context(collected, year, issues)
        yield SubmissionHeader(
            format_id=FORMAT_ID,
            format_version=collection_year_label(year.year),
            la_code=context.la_code,
            reference_date=date(year.year, 3, 31),
            details={"year_source": year.source, "tables": ",".join(sorted(collected.rows))},
        )
        yield from self._file_issues(collected, year.year)
        yield from issues
        yield from self._children(collected, context)

    def _context(self, collected: Collected, year: YearChoice, issues: list[Issue]) -> _Context:
        if self.la_code is not None:
            return _Context(self.la_code, {"path": "submission:la_code"}, year)
        counts: dict[str, int] = {}
        for rows in collected.rows.values():
            for row in rows:
                la = la_of_row(row, self.library.tables)
                if la is not None:
                    counts[la] = counts.get(la, 0) + 1
        if not counts:
            if collected.rows:
                issues.append(
                    Issue(
                        rule="read/ssda903/la-unknown",
                        severity="error",
                        message="the LA is not known: submit for an LA (the envelope's LA code) or add "
                        "an LA column; children were read without their local id",
                    )
                )
            return _Context(None, {}, year)
        chosen = max(counts, key=lambda la: (counts[la], la))
        return _Context(chosen, {}, year)

    def _file_issues(self, collected: Collected, year: int) -> Iterator[Issue]:
        spec = load_year(year)
        label = collection_year_label(year)
        for table in ("header", "episodes"):
            if table not in collected.rows and collected.rows:
                yield Issue(
                    rule="read/ssda903/missing-table",
                    severity="warning",
                    message=f"the submission has no {table} file; children were built from the other files",
                )
        for table, files in sorted(collected.files.items()):
            if table not in spec.tables:
                yield Issue(
                    rule="read/ssda903/table-not-in-year",
                    severity="warning",
                    message=f"the {table} table is not part of the {label} return; its cells were not checked",
                    location=SourceLocation(file=files[0]),
                )

    def _children(self, collected: Collected, context: _Context) -> Iterator[ReadEvent]:
        spec = load_year(context.year.year)
        flagged: set[tuple[Any, ...]] = set()
        all_rows = [row for rows in collected.rows.values() for row in rows]
        by_child_issues: dict[str, list[Issue]] = {}
        for issue in check_cells(all_rows, spec, flagged):
            by_child_issues.setdefault(issue.child or "", []).append(issue)
        yield from by_child_issues.pop("", [])
        order: list[str] = []
        grouped: dict[str, dict[str, list[TableRow]]] = {}
        for table in ("header", *(t for t in collected.rows if t != "header")):
            for row in collected.rows.get(table, ()):
                child = row.child
                if not child:
                    continue
                tables = grouped.get(child)
                if tables is None:
                    tables = grouped[child] = {}
                    order.append(child)
                tables.setdefault(table, []).append(row)
        assembler = ChildAssembler(
            self.library,
            context.la_code,
            context.la_location,
            flagged,
            has_header="header" in collected.rows,
            la_declared=self.la_code is not None,
        )
        produced = 0
        for child in order:
            record, issues = assembler.assemble(child, grouped[child], produced)
            if record is not None:
                produced += 1
                yield record
            yield from by_child_issues.get(child, ())
            yield from issues
