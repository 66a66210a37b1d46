"""Malformed XML as a located, value-free issue (libxml2's own messages may quote the file's content).

:class:`ReadProgress` wraps the input stream to know how much of it lxml has consumed, so that a file
cut short is told apart from one that is wrong in the middle.
"""

from __future__ import annotations

import re
from typing import IO, Final

from lxml import etree

from gateway import Issue, SourceLocation

__all__ = ["MarkupFound", "ReadProgress", "syntax_issue"]

_ENCODING_ERRORS: Final = frozenset(
    {"ERR_INVALID_ENCODING", "ERR_UNSUPPORTED_ENCODING", "ERR_INVALID_CHAR", "ERR_UNKNOWN_ENCODING"}
)
_TRUNCATION_ERRORS: Final = frozenset({"ERR_DOCUMENT_END", "ERR_TAG_NOT_FINISHED"})
_ERROR_NAMES: Final = {
    getattr(etree.ErrorTypes, name): name for name in dir(etree.ErrorTypes) if name.startswith("ERR_")
}
"""libxml2 error code -> name (the exception's own code: lxml's error log can hold earlier parses' errors)."""


class MarkupFound(Exception):
    """The file holds a comment, processing instruction or CDATA section, or is in an encoding where they
    would not be seen (raised by :meth:`ReadProgress.read` before handing the parser that data)."""


_DECLARATION: Final = re.compile(rb"<\?xml[ \t\r\n][^>]*\?>")
"""The XML declaration: the one ``<?`` that is not a processing instruction."""


class ReadProgress:
    """A read-only byte stream that counts what has been read: bytes, lines, calls, and whether it ended.

    With ``markup``, it raises :class:`MarkupFound` before handing over data that holds ``<!`` (a comment,
    CDATA section or DOCTYPE) or ``<?`` (a processing instruction) — the XML declaration aside —, or a first
    read that does not start with ``<`` or white space (UTF-16, or another encoding where those bytes would
    not be seen). A byte-level look, cheap because ``!`` and ``?`` are rare in a census file."""

    def __init__(self, stream: IO[bytes], *, markup: bool = False) -> None:
        self._stream = stream
        self._markup = markup
        self._before = b""
        """The last byte handed over (a ``<`` there and a ``!`` first in the next read are one ``<!``)."""
        self.size = 0
        self.lines = 1
        self.ended = False
        self.reads = 0
        """How many times the parser has asked for data. lxml parses only right after such a call (what it
        returned, or, when it returned nothing, the rest of what the parser held), so while this count
        stays the same the tree being built does not grow."""

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        data = self._stream.read(size)
        if self._markup and data:
            if (self.size == 0 or b"!" in data or b"?" in data) and _markup_in(self._before + data, self.size == 0):
                raise MarkupFound
            self._before = data[-1:]
        if data:
            self.size += len(data)
            self.lines += data.count(b"\n")
        else:
            self.ended = True
        return data


def _markup_in(data: bytes, first: bool) -> bool:
    start = 0
    if first:
        start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        declaration = _DECLARATION.match(data, start)
        start = declaration.end() if declaration is not None else start
        if data[start : start + 1] not in (b"<", b" ", b"\t", b"\r", b"\n", b""):
            return True  # not XML as ASCII-compatible bytes (UTF-16 ...): look no further, keep it all
    return data.find(b"<!", start) >= 0 or data.find(b"<?", start) >= 0


def syntax_issue(file: str, exc: etree.XMLSyntaxError, progress: ReadProgress) -> Issue:
    """The issue for a syntax error raised while ``progress``'s stream was being parsed."""
    kind = _ERROR_NAMES.get(exc.code, "") if isinstance(exc.code, int) else ""
    text = str(exc.msg or "").lower()
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    column = exc.position[1] if exc.position and exc.position[1] > 0 else None
    where = f" (column {column})" if column else ""
    at_end = progress.ended and (line is None or line >= progress.lines)
    if progress.ended and progress.size == 0:
        rule, message = "read/empty", "the file is empty"
    elif kind in _ENCODING_ERRORS or "encoding" in text or "utf-8" in text:
        rule, message = "read/encoding", f"the file is not in the encoding it declares (UTF-8 when none){where}"
    elif "depth" in text:
        rule, message = "read/too-deep", "elements are nested deeper than the gateway accepts (256 levels)"
    elif "huge" in text or "too long" in text or kind == "ERR_RESOURCE_LIMIT":
        rule, message = "read/too-large", f"a text or name in the file is larger than the gateway accepts{where}"
    elif kind == "ERR_UNDECLARED_ENTITY":
        rule, message = (
            "read/xml-syntax",
            f"the file uses an entity reference (&name;) that XML does not define{where}: write the character "
            "itself, or a character reference such as &#233;",
        )
    elif kind in _TRUNCATION_ERRORS or "premature end" in text or "end of data" in text or at_end:
        rule, message = "read/truncated", f"the file ends before the XML is complete{where}"
    else:
        rule, message = "read/xml-syntax", f"the file is not well-formed XML ({kind or 'syntax error'}){where}"
    return Issue(rule=rule, severity="error", message=message, location=SourceLocation(file=file, line=line))
