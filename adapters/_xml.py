"""Hardened XML parsing shared by the XML readers (CIN census, ICS exchange format, SSDA903 XML).

Rules (see FIELD-NOTES.md): an explicit parser with entities, DTD loading and network off and lxml's own
depth/size limits on (``huge_tree=False``); any DOCTYPE is refused (with ``resolve_entities=False`` an
entity would otherwise survive as literal text); XInclude elements are refused and ``.xinclude()`` is never
called; schemas are only ever loaded from the gateway's vendored copies.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterator
from typing import IO, Any, Final, Literal

from lxml import etree

from gateway import ConfigurationError

__all__ = [
    "XINCLUDE_NS",
    "UnsafeXmlError",
    "hardened_parser",
    "iterparse_hardened",
    "offline_xmlschema",
    "parse_hardened",
]

XINCLUDE_NS: Final = "http://www.w3.org/2001/XInclude"
_XINCLUDE_PREFIXES: Final = ("{http://www.w3.org/2001/XInclude}", "{http://www.w3.org/2003/XInclude}")

_PARSER_OPTIONS: Final = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


class UnsafeXmlError(ValueError):
    """The document uses a construct the gateway refuses (DOCTYPE, entity declarations, XInclude).

    Internal to adapters: readers turn it into an ``Issue`` (rule ``read/unsafe-xml``).
    """


def hardened_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """A fresh lxml parser with every external-resource feature off."""
    return etree.XMLParser(remove_blank_text=remove_blank_text, **_PARSER_OPTIONS)


def _check_docinfo(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError("the document has a DOCTYPE declaration; DTDs and entities are not accepted")


def _check_element(element: etree._Element) -> None:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(_XINCLUDE_PREFIXES):
        raise UnsafeXmlError("the document uses XInclude, which is not accepted")


def parse_hardened(data: bytes) -> etree._Element:
    """Parse a whole (small) document safely and return its root.

    Raises ``etree.XMLSyntaxError`` for malformed XML and :class:`UnsafeXmlError` for refused constructs.
    """
    root = etree.fromstring(data, parser=hardened_parser())
    _check_docinfo(root.getroottree())
    for element in root.iter():
        _check_element(element)
    return root


def iterparse_hardened(
    source: IO[bytes],
    events: tuple[Literal["start", "end"], ...] = ("end",),
    tag: str | Collection[str] | None = None,
    *,
    remove_blank_text: bool = False,
    remove_comments: bool = False,
    remove_pis: bool = False,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs safely (bounded memory when the caller clears elements).

    ``tag`` (one name or several) is filtered inside lxml, so elements with other names never reach
    Python — much faster for large documents; XInclude elements are always delivered to the check. The
    DOCTYPE check runs on the first delivered event, before any content is handed out (or, when no
    element matched at all, once the document has been read); every delivered element is checked for
    XInclude as it starts. Raises ``etree.XMLSyntaxError`` or :class:`UnsafeXmlError`.

    For data-oriented formats, whose readers want values as a schema sees them and never look at layout:

    * ``remove_comments`` / ``remove_pis`` leave comments / processing instructions out of the tree, so the
      text on either side of one is one text (``<UPN>A1<!-- x -->23</UPN>`` reads ``A123``, as a schema
      validator reads it);
    * ``remove_blank_text`` leaves out the white space *between* elements (indentation), by libxml2's rule:
      a run of white space is kept when it is an element's only content (``<UPN>  </UPN>``), under
      ``xml:space="preserve"`` or after other text, and dropped when an element, or the end of an element
      that holds elements, follows. The one case a reader could notice: white space that a comment or
      processing instruction follows, at the start of an element (``<UPN>  <!-- x --></UPN>`` reads as
      empty). A pretty-printed document then builds about half the nodes.
    """
    wanted = set(events)
    options = {
        **_PARSER_OPTIONS,
        "remove_blank_text": remove_blank_text,
        "remove_comments": remove_comments,
        "remove_pis": remove_pis,
    }
    watched = _Watched(source)
    if tag is None:
        tags: frozenset[str] | None = None
        context = etree.iterparse(watched, events=("start", "end"), **options)
    else:
        tags = frozenset((tag,) if isinstance(tag, str) else tag)
        selector = [*tags, *(prefix + "*" for prefix in _XINCLUDE_PREFIXES)]
        context = etree.iterparse(watched, events=("start", "end"), tag=selector, **options)
    watched.context = context
    checked = False
    try:
        if tags is not None and wanted == {"start", "end"} and not any(t.startswith(_XINCLUDE_PREFIXES) for t in tags):
            # The usual streaming case, kept lean: a delivered element whose name is one of ``tags`` cannot be an
            # XInclude element, so only the others (lxml delivers XInclude elements too) need the check.
            for event, element in context:
                if not checked:
                    _check_docinfo(element.getroottree())
                    checked = True
                if element.tag in tags:
                    yield event, element
                elif event == "start":
                    _check_element(element)
        else:
            for event, element in context:
                if not checked:
                    _check_docinfo(element.getroottree())
                    checked = True
                if event == "start":
                    _check_element(element)
                if event in wanted and (tags is None or element.tag in tags):
                    yield event, element
    except etree.XMLSyntaxError as exc:
        raise _parse_error(exc, watched) from None
    if watched.first_error is not None:  # lxml ended without raising it (see _Watched)
        raise _parse_error(None, watched)
    if not checked and context.root is not None:
        _check_docinfo(context.root.getroottree())


class _Watched:
    """The source as the parser reads it, stopping at the first error the parser logged.

    lxml's incremental parser does not always raise the error that stops a document: after an undeclared
    entity (``&name;``) it starts a new document with the next chunk fed to it, so that what is raised then
    is a bare "no element found" (line 0) or "Start tag expected" at line 1, or nothing at all when the next
    chunk starts with a tag (and its elements are delivered as a new document's). The real error is only
    in the parser's own log, and only until then (the exception's log gathers the thread's earlier parses
    too). So before each read the log is looked at, and once it holds an error the parser is fed nothing
    more: the error is raised where the parse stopped (:func:`_parse_error`).
    """

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.context: Any = None
        self.first_error: Any = None
        """The first error (or worse) this parse logged, a ``_LogEntry``."""

    def read(self, size: int = -1) -> bytes:
        if self.first_error is None and self.context is not None:
            errors = self.context.error_log.filter_from_errors()
            if errors:
                self.first_error = errors[0]
        if self.first_error is not None:
            return b""  # the document is broken: nothing more for the parser to start again with
        return self._source.read(size)


def _parse_error(exc: etree.XMLSyntaxError | None, watched: _Watched) -> etree.XMLSyntaxError:
    """The error that stopped the parse, where it is: the first one the parser logged (see :class:`_Watched`)
    when lxml raised another or none, else the last in the parser's log when lxml raised one without a
    place."""
    first = watched.first_error
    if first is None and exc is not None and not exc.lineno and watched.context is not None:
        errors = watched.context.error_log.filter_from_errors()
        first = errors[-1] if errors else None
    if exc is not None and (first is None or (first.type, first.line) == (exc.code, exc.lineno)):
        return exc
    return etree.XMLSyntaxError(first.message, first.type, first.line, first.column, first.filename)


def offline_xmlschema(source_text: bytes, label: str) -> Any:
    """An :mod:`xmlschema` XSD 1.0 schema of ``source_text`` that may load nothing from anywhere
    (``allow="none"``, ``defuse="always"``), for explaining validation failures in detail.

    Raises :class:`ConfigurationError` if it loads with any warning (an import it could not resolve, a
    construct it skipped): an explanation from half a schema would mislead the supplier.
    """
    import xmlschema  # noqa: PLC0415 - heavy, and only needed once something fails validation

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schema = xmlschema.XMLSchema10(source_text.decode("utf-8"), allow="none", defuse="always")
    if caught:
        raise ConfigurationError(
            f"the {label} schema loaded with warnings (it must load completely, offline): "
            + "; ".join(str(w.message) for w in caught)
        )
    return schema
