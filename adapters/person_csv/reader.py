"""The ``person-csv`` reader: one child per row, columns named after canonical fields.

The columns and their meaning are in ``docs/formats/person-csv.md``; the mapping is the declarative
``mappings/person-csv.yaml`` (a council's variant can override it from a folder placed first). Streaming:
one record per row, in bounded memory apart from the set of local ids seen (for duplicate warnings).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from adapters._csv import CsvHeader, CsvRecord, iter_csv
from gateway import Issue, ReadEvent, SourceFile, SourceLocation, SubmissionHeader
from gateway.mapping import MappingLibrary, MappingSpec, RecordBuilder, SourceRow

__all__ = ["FORMAT_ID", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "PersonCsvReader"]

FORMAT_ID: Final = "person-csv"
REQUIRED_COLUMNS: Final = (
    "la_code", "la_child_id", "given_name", "family_name", "birth_date", "sex", "postcode", "address",
    "nhs_number", "upn",
)  # fmt: skip
"""Columns every person-csv file has (a cell may be blank unless the column is la_code or la_child_id)."""
OPTIONAL_COLUMNS: Final = (
    "former_given_name", "former_family_name", "expected_birth_date", "death_date", "ethnicity",
    "upn_unknown_reason", "former_upns", "town", "no_known_address", "shielded", "shielding_reason",
    "gp_practice_code", "school_urn", "carer_given_name", "carer_family_name", "carer_relationship",
    "carer_parental_responsibility", "carer_lives_with_child", "carer_phone", "carer_email", "carer_address",
    "carer_postcode",
)  # fmt: skip
_MAX_RECORD_LINES: Final = 8


class PersonCsvReader:
    """Reads person-csv files. Option: ``la_code``, the LA the submission is for (rows for another LA are errors)."""

    format_id = FORMAT_ID
    description = "Plain CSV with canonical column names (la_code, la_child_id, given_name, ...), one child per row"

    def __init__(self, *, la_code: str | None = None, library: MappingLibrary | None = None) -> None:
        self.la_code = la_code
        self._library = library

    def for_submission(self, declared: SubmissionHeader) -> PersonCsvReader:
        """A reader for one submission declared for ``declared.la_code``."""
        return PersonCsvReader(la_code=declared.la_code or self.la_code, library=self._library)

    @property
    def library(self) -> MappingLibrary:
        if self._library is None:
            self._library = MappingLibrary()
        return self._library

    def sniff(self, name: str, head: bytes) -> bool:
        first_line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].lower()
        return b"la_child_id" in first_line and b"la_code" in first_line

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        yield SubmissionHeader(format_id=FORMAT_ID, format_version="1", la_code=self.la_code)
        spec = self.library.get("person-csv")
        produced = 0
        seen: set[tuple[str, str]] = set()
        for source in files:
            for event in self._read_file(source, spec, produced, seen):
                if not isinstance(event, Issue):
                    produced += 1
                yield event

    def _read_file(
        self, source: SourceFile, spec: MappingSpec, first_index: int, seen: set[tuple[str, str]]
    ) -> Iterator[ReadEvent]:
        file = source.name
        names: tuple[str, ...] = ()
        index = first_index
        for item in iter_csv(source, max_span=_MAX_RECORD_LINES):
            if isinstance(item, Issue):
                yield item
            elif isinstance(item, CsvHeader):
                names = tuple(name.lower() for name in item.names)
                yield from _header_issues(file, names)
            elif isinstance(item, CsvRecord):
                values: dict[str, str] = {}
                for name, cell in zip(names, item.cells, strict=True):
                    values.setdefault(name, cell)
                child = values.get("la_child_id", "").strip() or None
                row = SourceRow(values, file=file, row=item.row, line=item.line)
                builder = RecordBuilder(child=child, record_index=index)
                builder.add(spec, spec.apply(row, child=child))
                record = builder.build()
                if record is not None:
                    index += 1
                    yield record
                yield from builder.issues
                yield from self._row_issues(values, row, child, seen)

    def _row_issues(
        self, values: dict[str, str], row: SourceRow, child: str | None, seen: set[tuple[str, str]]
    ) -> Iterator[Issue]:
        la_code = values.get("la_code", "").strip()
        if self.la_code is not None and la_code and la_code != self.la_code:
            yield Issue(
                rule="read/person-csv/la-mismatch",
                severity="error",
                child=child,
                message=f"the row's la_code ({la_code}) is not the LA the file was submitted for ({self.la_code})"
                if la_code.isdigit() and len(la_code) == 3
                else "the row's la_code is not the LA the file was submitted for",
                location=row.source_location("la_code"),
            )
        if child is not None:
            key = (la_code, child)
            if key in seen:
                yield Issue(
                    rule="read/person-csv/duplicate-local-id",
                    severity="warning",
                    child=child,
                    message="an earlier row has the same la_code and la_child_id; both were read",
                    location=row.source_location("la_child_id"),
                )
            seen.add(key)


def _header_issues(file: str, names: tuple[str, ...]) -> Iterator[Issue]:
    present = set(names)
    for column in REQUIRED_COLUMNS:
        if column not in present:
            yield Issue(
                rule="read/person-csv/missing-column",
                severity="error",
                message=f"the file has no {column} column",
                location=SourceLocation(file=file, column=column),
            )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    repeated: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            yield Issue(
                rule="read/person-csv/unknown-column",
                severity="warning",
                message=f"column {position} has no name; it was ignored",
                location=SourceLocation(file=file, column=str(position)),
            )
        elif name in repeated:
            yield Issue(
                rule="read/csv-duplicate-column",
                severity="error",
                message="the column appears twice; the later one is ignored",
                location=SourceLocation(file=file, column=name),
            )
        elif name not in known:
            yield Issue(
                rule="read/person-csv/unknown-column",
                severity="warning",
                message=f"{name} is not a person-csv column; it was ignored",
                location=SourceLocation(file=file, column=name),
            )
        repeated.add(name)
