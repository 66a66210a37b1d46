"""The reader and writer API that every format adapter implements (built-in and plugin alike).

A *reader* turns the files of one submission into a stream of events: a :class:`SubmissionHeader` once it
knows the format version, then :class:`~gateway.model.ChildRecord` values and
:class:`~gateway.model.Issue` values in any order. Readers stream (a 100,000-child file must convert in
bounded memory) and never raise on bad data: every problem is an ``Issue`` located in the supplier's
own terms. A *writer* turns canonical records back into a supplier format.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from gateway.model import ChildRecord, Issue

__all__ = [
    "FormatReader",
    "FormatWriter",
    "ReadEvent",
    "SourceFile",
    "SubmissionAwareReader",
    "SubmissionHeader",
]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a submission: its name as the supplier sent it, and its bytes or a local path."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("SourceFile needs exactly one of data or path")

    @classmethod
    def from_path(cls, path: Path) -> SourceFile:
        """A file on disk, named by its base name (never the server path) in issues."""
        return cls(name=path.name, path=path)

    def open(self) -> BinaryIO:
        """Open the content for binary reading (the caller closes it)."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None  # noqa: S101 - guaranteed by __post_init__
        return self.path.open("rb")

    def head(self, size: int = 4096) -> bytes:
        """The first ``size`` bytes, for format detection."""
        with self.open() as stream:
            return stream.read(size)


@dataclass(frozen=True, slots=True)
class SubmissionHeader:
    """What a reader learnt about the submission as a whole (yielded once, before the records)."""

    format_id: str
    format_version: str | None = None
    """Schema or census version, e.g. ``2024-25`` for the CIN census 2024-25 collection."""
    la_code: str | None = None
    """DfE LA number declared in the file, when the format carries one."""
    reference_date: date | None = None
    details: dict[str, str] = field(default_factory=dict)


ReadEvent = SubmissionHeader | ChildRecord | Issue
"""What a reader yields."""


@runtime_checkable
class FormatReader(Protocol):
    """Reads one supplier format into canonical records. Registered through the ``ecm_gateway`` plugins."""

    @property
    def format_id(self) -> str:
        """Stable format id, e.g. ``cin-census-xml``."""
        ...

    @property
    def description(self) -> str:
        """One line for ``ecm-gateway plugins`` and ``--help``."""
        ...

    def sniff(self, name: str, head: bytes) -> bool:
        """True when a file with this name and first bytes looks like this format."""
        ...

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        """Stream the submission's events. Never raises on bad data; yields ``Issue`` values instead."""
        ...


@runtime_checkable
class SubmissionAwareReader(Protocol):
    """Optional extra for a reader whose files do not say everything it needs (SSDA903 has no LA number).

    Before reading, the pipeline calls :meth:`for_submission` with what the envelope declares (format id,
    format version if given, LA code) and reads with the reader it returns; a reader without this method
    is used as it is.
    """

    def for_submission(self, declared: SubmissionHeader) -> FormatReader:
        """A reader configured for one submission (the registered reader itself stays unchanged)."""
        ...


@runtime_checkable
class FormatWriter(Protocol):
    """Writes canonical records in a supplier format (so suppliers can exchange through the hub)."""

    @property
    def format_id(self) -> str: ...

    @property
    def media_type(self) -> str:
        """The MIME type of the output, e.g. ``application/fhir+json``."""
        ...

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        """Serialise the records as one document in this format."""
        ...
