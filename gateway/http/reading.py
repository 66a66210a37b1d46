"""Reading a submission under limits, and finding records a client may not submit.

:func:`bounded` wraps a reader so that reading stops with :class:`ReadTimeout` once the parse deadline has
passed and with :class:`TooManyRecords` as soon as one record too many arrives (the rest of the file is
never mapped). :func:`foreign_records` lists the records that name a council the client may not submit
for, each located in the supplier's own terms (file, line or row, XPath / JSON pointer) and never by value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.errors import GatewayError
from gateway.formats import FormatReader, SourceFile, SubmissionAwareReader, SubmissionHeader
from gateway.model import CanonicalMessage, ChildRecord, SourceLocation

__all__ = ["ForeignRecord", "ReadTimeout", "TooManyRecords", "bounded", "foreign_records"]


class ReadTimeout(GatewayError):
    """Reading and mapping the submission took longer than the parse timeout."""


class TooManyRecords(GatewayError):
    """The submission holds more child records than one submission may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the submission holds more than {limit} child records; split it into smaller submissions")
        self.limit = limit


class _Bounded:
    """A reader that stops at the deadline or at one record too many."""

    def __init__(self, inner: FormatReader, timeout: float, max_records: int, clock: Callable[[], float]) -> None:
        self._inner = inner
        self._timeout = timeout
        self._max_records = max_records
        self._clock = clock

    @property
    def format_id(self) -> str:
        return self._inner.format_id

    @property
    def description(self) -> str:
        return self._inner.description

    def sniff(self, name: str, head: bytes) -> bool:
        return self._inner.sniff(name, head)

    def read(self, files: Sequence[SourceFile]) -> Iterator[Any]:
        deadline = self._clock() + self._timeout
        records = 0
        for event in self._inner.read(files):
            if self._clock() > deadline:
                raise ReadTimeout(f"the submission could not be read within {self._timeout:g} seconds")
            if isinstance(event, ChildRecord):
                records += 1
                if records > self._max_records:
                    raise TooManyRecords(self._max_records)
            yield event


class _BoundedAware(_Bounded):
    """The same, for a reader that takes what the envelope declares (the LA, the format version)."""

    def for_submission(self, declared: SubmissionHeader) -> FormatReader:
        inner = self._inner
        assert isinstance(inner, SubmissionAwareReader)  # noqa: S101 - only built for such readers
        return _Bounded(inner.for_submission(declared), self._timeout, self._max_records, self._clock)


def bounded(
    reader: FormatReader, *, timeout: float, max_records: int, clock: Callable[[], float] = time.monotonic
) -> FormatReader:
    """``reader`` limited to ``timeout`` seconds of reading and ``max_records`` child records."""
    if isinstance(reader, SubmissionAwareReader):
        return _BoundedAware(reader, timeout, max_records, clock)
    return _Bounded(reader, timeout, max_records, clock)


@dataclass(frozen=True)
class ForeignRecord:
    """A record naming a council the client may not submit for: where it is, never what it says."""

    record: int
    """1-based position of the record in the submission."""
    location: SourceLocation | None

    def as_dict(self) -> dict[str, object]:
        where = self.location.model_dump(exclude_none=True) if self.location is not None else {}
        return {"record": self.record, **where}


def _locate(record: ChildRecord, index: int) -> SourceLocation | None:
    pointer = f"/child/local_ids/{index}"
    fallback = None
    for source in record.lineage:
        if source.field == pointer or source.field.startswith(pointer + "/"):
            return source.source
        if fallback is None and (source.source.line or source.source.row):
            fallback = source.source
    return fallback


def foreign_records(message: CanonicalMessage, la_codes: frozenset[str]) -> list[ForeignRecord]:
    """Records with a local id from a council outside ``la_codes`` (a record without local ids is the
    envelope's council, which the caller has already checked)."""
    found = []
    for position, record in enumerate(message.records, start=1):
        for index, local in enumerate(record.child.local_ids):
            if local.la_code not in la_codes:
                found.append(ForeignRecord(position, _locate(record, index)))
                break
    return found
