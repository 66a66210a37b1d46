"""The ``ics-xml`` reader: streams an ``IcsExchange`` document one ``<Child>`` at a time.

Each file is parsed through :func:`adapters._xml.iterparse_hardened` (no DTDs, entities, XInclude or
network; lxml's depth and size limits on; comments and processing instructions left out, see
:data:`DATA_ONLY`). The ``<Header>`` becomes the :class:`~gateway.SubmissionHeader`;
every ``<Child>`` is validated on its own against the vendored schema (lxml, fast), decoded into a
:class:`~gateway.ChildRecord` with lineage when valid, explained as located issues when not, and then
cleared, so memory stays bounded however many children a file holds. A child that fails the schema is
reported and left out; the others still load. At the end the message's skeleton (root, header, the
emptied ``<Children>``) is validated too, so an unexpected element anywhere is reported.

Issue rules: ``read/encoding``, ``read/xml-syntax``, ``read/too-deep``, ``read/too-large``,
``read/unsafe-xml``, ``read/not-ics-xml``, ``read/child-too-large``, ``read/schema-location-ignored``
(information), ``read/header-mismatch``, ``read/unmapped`` and ``read/internal-error`` (defects), and the
schema's ``xsd/...`` rules (see :mod:`adapters.ics_xml.schema_issues`). No message carries a value.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from lxml import etree

from adapters._xml import UnsafeXmlError, iterparse_hardened
from adapters.ics_xml.decoder import DecodeError, collapse, decode_child
from adapters.ics_xml.schema import FORMAT_ID, NAMESPACE, SCHEMA_VERSION, ics_schema, qualified
from adapters.ics_xml.schema_issues import element_path, iter_schema_issues
from gateway import Issue, ReadEvent, Severity, SourceFile, SourceLocation, SubmissionHeader

__all__ = ["DATA_ONLY", "MAX_CHILD_ELEMENTS", "IcsXmlReader"]

logger = logging.getLogger(__name__)

DATA_ONLY: Final = True
"""Parse without comments and processing instructions (see :func:`~adapters._xml.iterparse_hardened`): a
value split by one reads whole, as the schema reads it (``findtext`` took only the text before it, so a
header's ``LACode`` was silently lost). Indentation is kept (``remove_blank_text`` stays off): free text is
``xs:string``, kept exactly as sent, and libxml2 would drop the white space that opens one before a comment
(``<Line>  <!-- x -->1 High St</Line>`` would read ``1 High St``)."""

MAX_CHILD_ELEMENTS: Final = 20_000
"""Elements one ``<Child>`` may hold; a larger one is refused (and cleared as it streams)."""

_ROOT: Final = qualified("IcsExchange")
_HEADER: Final = qualified("Header")
_CHILDREN: Final = qualified("Children")
_CHILD: Final = qualified("Child")
_ROOT_PATH: Final = "/IcsExchange"
_XML_WHITE_SPACE: Final = " \t\n\r"
_XSI: Final = "{http://www.w3.org/2001/XMLSchema-instance}"
_SCHEMA_HINTS: Final = (f"{_XSI}schemaLocation", f"{_XSI}noNamespaceSchemaLocation")
_DECLARED_ENCODING: Final = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._\-]{1,40})["']""")
_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
_SYNTAX: Final = (
    (
        ("not proper UTF-8", "encoding", "Encoding", "Unsupported"),
        "read/encoding",
        "the document is not valid UTF-8; ics-xml documents must be UTF-8 encoded",
    ),
    (("Excessive depth",), "read/too-deep", "elements are nested too deeply (the limit is 256 levels)"),
    (
        ("huge", "Huge", "too long", "too large", "Memory"),
        "read/too-large",
        "a text node, name or attribute is larger than the gateway accepts (10 MB)",
    ),
    (("tag mismatch",), "read/xml-syntax", "an end tag does not match its start tag"),
    (("Premature end", "EndTag"), "read/xml-syntax", "the document ends before all its elements are closed"),
    (("Document is empty", "Start tag expected"), "read/xml-syntax", "the document is empty or is not XML"),
    (("Extra content",), "read/xml-syntax", "there is content after the root element"),
    (
        ("Char 0x", "invalid Char", "CharRef", "PCDATA invalid"),
        "read/xml-syntax",
        "the document contains a character XML 1.0 does not allow (a control character or NUL)",
    ),
    (
        ("Entity", "entity"),
        "read/xml-syntax",
        "an undefined or malformed entity reference (only &amp; &lt; &gt; &quot; &apos; and &#...; are allowed)",
    ),
    (("Namespace prefix", "xmlns"), "read/xml-syntax", "a namespace prefix is used without being declared"),
)


def _encoding_problem(head: bytes) -> str | None:
    """Why the document is not UTF-8, from its first bytes (``None`` when it may be)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return f"the document is {name}; ics-xml documents must be UTF-8 encoded"
    if head[:2] in (b"\x00<", b"<\x00"):
        return "the document is UTF-16 without a byte order mark; ics-xml documents must be UTF-8 encoded"
    match = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if match and match.group(1).decode("ascii").lower() not in ("utf-8", "utf8"):
        declared = match.group(1).decode("ascii")
        return f"the document declares encoding {declared}; ics-xml documents must be UTF-8 encoded"
    return None


def _syntax_issue(file: str, exc: etree.XMLSyntaxError) -> Issue:
    """An issue for a parse error; libxml2's own message is not echoed (it can quote the document)."""
    raw = str(exc.msg or "")
    rule, message = "read/xml-syntax", "the document is not well-formed XML"
    for needles, candidate_rule, candidate_message in _SYNTAX:
        if any(needle in raw for needle in needles):
            rule, message = candidate_rule, candidate_message
            break
    line, column = exc.position if exc.position else (None, None)
    if line and column:
        message = f"{message} (line {line}, column {column})"
    return Issue(
        rule=rule,
        severity="error",
        message=message,
        location=SourceLocation(file=file, line=line if line and line > 0 else None),
    )


def _issue(
    rule: str,
    message: str,
    file: str,
    *,
    line: int | None = None,
    path: str | None = None,
    severity: Severity = "error",
    child: str | None = None,
) -> Issue:
    return Issue(
        rule=rule,
        severity=severity,
        message=message,
        location=SourceLocation(file=file, line=line, path=path),
        child=child,
    )


def _la_child_id(child: etree._Element) -> str | None:
    """The first ``LocalId/LAChildId`` of a child, when it looks like one (for issues' ``child``)."""
    text = child.findtext(f"{qualified('Identifiers')}/{qualified('LocalId')}/{qualified('LAChildId')}")
    if text is None:
        return None
    value = collapse(text)
    return value if 0 < len(value) <= 100 else None


@dataclass
class _Submission:
    """What the reader knows across the files of one submission."""

    header: SubmissionHeader | None = None
    header_sent: bool = False


@dataclass
class _FileReading:
    """Reading one file: the counters and flags the streaming loop needs."""

    source: SourceFile
    submission: _Submission
    children_seen: int = 0
    hint_reported: bool = False
    header_element: etree._Element | None = None
    child_elements: int = 0
    child_too_large: bool = False
    current_child: etree._Element | None = None
    child_reference: str | None = None
    """The LA child id of a child refused as too large (taken before its content is cleared)."""
    kinds: list[str] = field(default_factory=list)
    """What each open element is: ``root``, ``header``, ``children``, ``child`` or ``other`` (by depth)."""
    version: str = SCHEMA_VERSION
    """The version the document declares (``schemaVersion``), when it is one this schema accepts."""

    @property
    def file(self) -> str:
        return self.source.name

    def events(self) -> Iterator[ReadEvent]:
        problem = _encoding_problem(self.source.head(512))
        if problem is not None:
            yield _issue("read/encoding", problem, self.file, line=1)
            return
        with self.source.open() as stream:
            try:
                yield from self._stream(stream)
            except etree.XMLSyntaxError as exc:
                yield _syntax_issue(self.file, exc)
            except UnsafeXmlError as exc:
                yield _issue("read/unsafe-xml", str(exc), self.file)
            except _StopFile:
                return
            except Exception as exc:  # a defect: say so, keep the gateway up, never echo data
                logger.error("ics-xml reader failed", extra={"error": type(exc).__name__, "format_id": FORMAT_ID})
                yield _issue("read/internal-error", "the reader failed on this document; it has been logged", self.file)

    def _stream(self, stream: BinaryIO) -> Iterator[ReadEvent]:
        for event, element in iterparse_hardened(
            stream,
            events=("start", "end"),
            remove_comments=DATA_ONLY,
            remove_pis=DATA_ONLY,
        ):
            if event == "start":
                yield from self._start(element)
            else:
                yield from self._end(element)
                self.kinds.pop()

    def _start(self, element: etree._Element) -> Iterator[ReadEvent]:
        depth = len(self.kinds)
        if not self.hint_reported and (element.get(_SCHEMA_HINTS[0]) or element.get(_SCHEMA_HINTS[1])):
            self.hint_reported = True
            yield _issue(
                "read/schema-location-ignored",
                f"xsi:schemaLocation is ignored: the gateway validates against its own copy of the ics-xml schema "
                f"(namespace {NAMESPACE})",
                self.file,
                line=element.sourceline,
                path=_ROOT_PATH if depth == 0 else None,
                severity="information",
            )
        if depth == 0:
            if element.tag != _ROOT:
                yield _issue(
                    "read/not-ics-xml",
                    f"the root element must be <IcsExchange> in the namespace {NAMESPACE}; this is not an ics-xml "
                    "document",
                    self.file,
                    line=element.sourceline,
                    path="/",
                )
                raise _StopFile
            self.kinds.append("root")
            declared = (element.get("schemaVersion") or "").strip()
            if declared in ics_schema().versions:
                self.version = declared
        elif depth == 1:
            self.kinds.append(
                "header" if element.tag == _HEADER else "children" if element.tag == _CHILDREN else "other"
            )
        elif depth == 2 and self.kinds[1] == "children":
            self.kinds.append("child" if element.tag == _CHILD else "other")
            self.current_child, self.child_reference = element, None
            self.child_elements = 0
            self.child_too_large = False
        else:
            self.kinds.append(self.kinds[-1])
            if self.kinds[-1] == "child":
                self.child_elements += 1
                if not self.child_too_large and self.child_elements > MAX_CHILD_ELEMENTS:
                    self.child_too_large = True
                    if self.current_child is not None:
                        self.child_reference = _la_child_id(self.current_child)

    def _end(self, element: etree._Element) -> Iterator[ReadEvent]:
        depth = len(self.kinds)
        kind = self.kinds[-1]
        if depth == 1:
            yield from self._finish(element)
        elif depth == 2:
            if kind == "header" and self.header_element is None:
                self.header_element = element
                yield from self._header(element)
            elif kind == "children":
                yield from self._drain(element, upto=None)
            elif kind != "header":
                element.clear(keep_tail=True)  # kept as an empty shell: the skeleton check reports it
        elif depth == 3 and self.kinds[1] == "children":
            if kind == "child":
                yield from self._child(element)
            else:
                yield _issue(
                    "xsd/unexpected-element",
                    f"<{_local(element.tag)}> is not expected in <Children>; only <Child> elements may appear there",
                    self.file,
                    line=element.sourceline,
                    path=f"{_ROOT_PATH}/Children/{_local(element.tag)}",
                )
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                yield from self._drain(parent, upto=element)
        elif kind in ("other", "children") or (kind == "child" and self.child_too_large):
            element.clear(keep_tail=True)  # junk, or a child already refused: keep memory bounded
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]

    def _drain(self, parent: etree._Element, upto: etree._Element | None) -> Iterator[Issue]:
        """Remove ``parent``'s nodes before ``upto`` (all of them when ``None``); report stray text."""
        while len(parent) and parent[0] is not upto:
            node = parent[0]
            if node.tail and node.tail.strip(_XML_WHITE_SPACE):  # XML white space only: NBSP is text
                yield _issue(
                    "xsd/text-not-allowed",
                    "text is not allowed directly inside <Children>; only <Child> elements may appear there",
                    self.file,
                    path=f"{_ROOT_PATH}/Children",
                )
            del parent[0]

    def _send_header(self, header: SubmissionHeader) -> Iterator[ReadEvent]:
        first = self.submission.header
        if first is None:
            self.submission.header = header
        elif header.la_code and first.la_code and header.la_code != first.la_code:
            yield _issue(
                "read/header-mismatch",
                f"this file declares LA {header.la_code} but the submission's first file declares LA {first.la_code}",
                self.file,
                path=f"{_ROOT_PATH}/Header/LACode",
            )
        if not self.submission.header_sent:
            self.submission.header_sent = True
            yield self.submission.header or header

    def _header(self, element: etree._Element) -> Iterator[ReadEvent]:
        path = f"{_ROOT_PATH}/Header"
        problems = list(iter_schema_issues(element, file=self.file, path=path))
        yield from problems

        def text(name: str) -> str | None:
            value = element.findtext(qualified(name))
            return collapse(value) if value is not None else None

        la_code = text("LACode")
        details: dict[str, str] = {"file": self.file}
        if not problems:
            details |= {
                "message_id": text("MessageId") or "",
                "supplier": text("Supplier") or "",
                "sent_at": text("SentAt") or "",
            }
        valid_la = la_code if la_code and len(la_code) == 3 and la_code.isascii() and la_code.isdigit() else None
        yield from self._send_header(
            SubmissionHeader(format_id=FORMAT_ID, format_version=self.version, la_code=valid_la, details=details)
        )

    def _child(self, element: etree._Element) -> Iterator[ReadEvent]:
        if not self.submission.header_sent:
            yield from self._send_header(SubmissionHeader(format_id=FORMAT_ID, format_version=self.version))
        self.children_seen += 1
        path = f"{_ROOT_PATH}/Children/Child[{self.children_seen}]"
        reference = self.child_reference if self.child_too_large else _la_child_id(element)
        if self.child_too_large:
            yield _issue(
                "read/child-too-large",
                f"the child holds more than {MAX_CHILD_ELEMENTS} elements; split its history across messages",
                self.file,
                line=element.sourceline,
                path=path,
                child=reference,
            )
            return
        problems = list(iter_schema_issues(element, file=self.file, path=path, child=reference))
        if problems:
            yield from problems
            return
        try:
            yield decode_child(element, file=self.file, xpath=path)
        except DecodeError as exc:  # the layout and the schema disagree: a defect, reported, never raised
            logger.error("ics-xml child could not be decoded", extra={"format_id": FORMAT_ID})
            yield _issue("read/unmapped", str(exc), self.file, line=exc.line, path=exc.path, child=reference)

    def _finish(self, root: etree._Element) -> Iterator[ReadEvent]:
        if not self.submission.header_sent:
            yield from self._send_header(SubmissionHeader(format_id=FORMAT_ID, format_version=self.version))
        header_path = element_path(self.header_element, root, _ROOT_PATH) if self.header_element is not None else None
        for issue in iter_schema_issues(root, file=self.file, path=_ROOT_PATH):
            where = issue.location.path if issue.location else None
            if header_path and where and (where == header_path or where.startswith(header_path + "/")):
                continue  # already explained when the header was read
            yield issue


class _StopFile(Exception):
    """Stop reading the current file (its problem has been reported)."""


def _local(tag: object) -> str:
    if isinstance(tag, str):
        return tag.rpartition("}")[2]
    return "node"


class IcsXmlReader:
    """Reads ``ics-xml`` documents (the gateway's published ICS exchange format)."""

    format_id = FORMAT_ID
    description = "ICS exchange format 1.x: the gateway's published XML for ICS practice records (incl. CAF)"

    def sniff(self, name: str, head: bytes) -> bool:
        return NAMESPACE.encode("ascii") in head and b"IcsExchange" in head

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        submission = _Submission()
        for source in files:
            yield from _FileReading(source, submission).events()
        if not submission.header_sent:
            yield SubmissionHeader(format_id=FORMAT_ID, format_version=SCHEMA_VERSION)
