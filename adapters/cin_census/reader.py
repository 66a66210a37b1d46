"""The ``cin-census-xml`` reader: a streaming pass over a CIN census file, one child at a time.

The file is parsed by :func:`adapters._xml.iterparse_hardened` (DOCTYPE, entities, XInclude and network
refused; comments, processing instructions and indentation left out, see :data:`DATA_ONLY`). The header's
``Year`` / ``ReferenceDate`` choose the census year and so the vendored schema; each ``<Child>`` is judged
by the schema as if by itself (lxml, fast yes/no; the children of one parser read are validated together,
and one by one only when they are not valid together), explained when it fails (xmlschema), mapped to a
canonical record, and then cleared and unlinked so that memory stays flat however many children the file
holds. A child that fails the schema is still mapped and yielded with its ``xsd/`` issues; the others are
not affected. Malformed XML ends the file with a located ``read/`` issue (the children before it have
already been yielded); nothing here raises on bad data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator, Sequence
from typing import IO, Final

from lxml import etree

from adapters._xml import UnsafeXmlError, iterparse_hardened
from adapters.cin_census.census import SUPPORTED_YEARS, census_label
from adapters.cin_census.document import DocumentState
from adapters.cin_census.malformed import MarkupFound, ReadProgress, syntax_issue
from adapters.cin_census.mapper import FORMAT_ID
from adapters.cin_census.skeleton import SKELETON_TAGS
from gateway import Issue, ReadEvent, SourceFile, SourceLocation, SubmissionHeader

__all__ = ["DATA_ONLY", "EXPLAIN_LIMIT", "CinCensusReader", "census_events"]

_FIRST_ELEMENT = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
"""The root element's local name: the first tag that is not a declaration, comment or DOCTYPE."""

logger = logging.getLogger(__name__)

DATA_ONLY: Final = True
"""Parse without comments, processing instructions and the indentation between elements (see
:func:`~adapters._xml.iterparse_hardened`): a value split by a comment reads whole, as the schema reads it;
nothing here reads layout (values are stripped, stray text is text that is not white space); and a
pretty-printed census file parses and validates faster without it.

Indentation is left out only while the file has shown no comment, processing instruction or CDATA section
(:class:`~adapters.cin_census.malformed.ReadProgress` looks as the file is read): libxml2 would also drop white
space that opens a value before one of those, which the schema counts (``<UPN>  <!-- x -->A1</UPN>`` fails
its pattern). Once one is seen, the file is read again keeping indentation, and the events already given
are not given twice."""

EXPLAIN_LIMIT: Final = 1000
"""Children per file explained with xmlschema (~2 ms each); later failures use lxml's error log."""


def census_events(stream: IO[bytes], *, indentation: bool = False) -> Iterator[tuple[str, etree._Element]]:
    """What the reader parses a census file into: the hardened stream of the skeleton elements' start and
    end events (:data:`~adapters.cin_census.skeleton.SKELETON_TAGS`), data only (:data:`DATA_ONLY`; with
    ``indentation``, keeping the white space between elements)."""
    return iterparse_hardened(
        stream,
        events=("start", "end"),
        tag=SKELETON_TAGS,
        remove_blank_text=DATA_ONLY and not indentation,
        remove_comments=DATA_ONLY,
        remove_pis=DATA_ONLY,
    )


class CinCensusReader:
    """Reads DfE Children in Need census XML (census years 2016-17 to 2025-26) into canonical records."""

    format_id = FORMAT_ID
    description = (
        f"DfE Children in Need census XML, census {census_label(SUPPORTED_YEARS[0])} to "
        f"{census_label(SUPPORTED_YEARS[-1])}, validated against the matching DfE schema"
    )

    def __init__(
        self,
        *,
        census_year: int | None = None,
        explain_limit: int = EXPLAIN_LIMIT,
        submission: SubmissionHeader | None = None,
    ) -> None:
        """``census_year`` (end year, e.g. 2025 for 2024-25) overrides what the header declares;
        ``submission`` (what the envelope declares) fills in a census year or LA code the file lacks."""
        if census_year is not None and census_year not in SUPPORTED_YEARS:
            raise ValueError(f"census_year must be one of {SUPPORTED_YEARS[0]}..{SUPPORTED_YEARS[-1]}")
        self.census_year = census_year
        self.explain_limit = explain_limit
        self.submission = submission

    def for_submission(self, declared: SubmissionHeader) -> CinCensusReader:
        """A reader that falls back on the envelope's census year and LA code when a file does not say."""
        return CinCensusReader(census_year=self.census_year, explain_limit=self.explain_limit, submission=declared)

    def sniff(self, name: str, head: bytes) -> bool:
        """A document whose root element is ``<Message>``, with CIN census content (``<Collection>CIN`` ...)."""
        root = _FIRST_ELEMENT.search(head)
        if root is None or root.group(1) != b"Message":
            return False
        return any(marker in head for marker in (b"<Collection>CIN<", b"<CINdetails", b"<LAchildID", b"<Children>"))

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        """Stream the header, then each child's issues and record, file by file. Never raises on bad data."""
        first = None
        for source in files:
            header = yield from self._read_file(source, first)
            first = first or header

    def _read_file(
        self, source: SourceFile, first: SubmissionHeader | None, *, indentation: bool | None = None, given: int = 0
    ) -> Generator[ReadEvent, None, SubmissionHeader | None]:
        """Read one file (``given``: how many of its events a first reading gave already); its header."""
        if indentation is None:
            indentation = not DATA_ONLY
        state = DocumentState(
            file=source.name,
            census_year=self.census_year,
            explain_limit=self.explain_limit,
            first=first,
            submission=self.submission,
        )
        try:
            stream = source.open()
        except OSError:
            logger.warning("CIN census file could not be opened", extra={"format_id": FORMAT_ID})
            yield Issue(
                rule="read/io",
                severity="error",
                message="the file could not be read",
                location=SourceLocation(file=source.name),
            )
            return None
        progress = state.progress = ReadProgress(stream, markup=not indentation)
        source_stream: IO[bytes] = progress  # type: ignore[assignment]  # lxml only calls read()
        skeleton = state.skeleton
        start, end = skeleton.start, state.end  # bound once: a start needs only the skeleton, an end the document
        skip, done = given, 0
        try:  # one generator for the whole file (not one per layer): every record passes through fewer frames
            for event, element in census_events(source_stream, indentation=indentation):
                events = start(element) if event == "start" else end(element)
                if events:
                    if skip:  # read again: what the first reading gave is not given twice
                        events, skip = events[skip:], max(0, skip - len(events))
                    yield from events
                    done += len(events)
                    if skeleton.not_census:  # state.stopped; only ever set with the issue that says why
                        return state.header
            yield from state.finish()
        except MarkupFound:  # see DATA_ONLY: read again, keeping indentation (nothing was parsed past it)
            return (yield from self._read_file(source, first, indentation=True, given=given + done))
        except UnsafeXmlError as exc:
            yield Issue(
                rule="read/unsafe-xml",
                severity="error",
                message=f"{exc}; the file was not read further",
                location=SourceLocation(file=source.name),
            )
        except etree.XMLSyntaxError as exc:
            yield syntax_issue(source.name, exc, progress)
        finally:
            stream.close()
        return state.header
