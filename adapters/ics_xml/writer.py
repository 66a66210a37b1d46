"""The ``ics-xml`` writer: canonical records -> one schema-valid ``IcsExchange`` document.

Every ``<Child>`` is checked against the vendored schema before it is written; a record holding a value
the format cannot carry raises :class:`~adapters.ics_xml.encoder.UnrepresentableRecord` naming the field
(never the value), so the writer never produces a document the gateway's own reader would refuse.
Output is UTF-8, indented two spaces, children streamed one at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Final

from lxml import etree

from adapters.ics_xml.encoder import UnrepresentableRecord, encode_child, format_scalar
from adapters.ics_xml.schema import FORMAT_ID, NAMESPACE, SCHEMA_VERSION, ics_schema, qualified
from adapters.ics_xml.schema_issues import iter_schema_issues
from gateway import ChildRecord

__all__ = ["DEFAULT_SUPPLIER", "IcsXmlWriter", "iter_message_chunks", "write_message"]

DEFAULT_SUPPLIER: Final = "ecm-gateway"

_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_OPEN_ROOT: Final = f'<IcsExchange xmlns="{NAMESPACE}" schemaVersion="{SCHEMA_VERSION}">\n'.encode()
_NS_DECLARATION: Final = f' xmlns="{NAMESPACE}"'.encode()


def _serialise(element: etree._Element, level: int) -> bytes:
    """``element`` indented at ``level``, without the namespace declaration its parent already makes."""
    etree.indent(element, space="  ", level=level)
    data: bytes = etree.tostring(element, encoding="UTF-8")
    tag = f"<{etree.QName(element).localname}".encode()
    if data.startswith(tag + _NS_DECLARATION):
        data = tag + data[len(tag) + len(_NS_DECLARATION) :]
    return b"  " * level + data + b"\n"


def _header(message_id: str, supplier: str, la_code: str, sent_at: datetime) -> bytes:
    header = etree.Element(qualified("Header"), nsmap={None: NAMESPACE})
    values = (
        ("MessageId", format_scalar("token", message_id, field="message_id")),
        ("Supplier", format_scalar("token", supplier, field="supplier")),
        ("LACode", format_scalar("token", la_code, field="la_code")),
        ("SentAt", format_scalar("instant", sent_at, field="sent_at")),
    )
    for name, text in values:
        etree.SubElement(header, qualified(name)).text = text
    problems = [issue.message for issue in iter_schema_issues(header, file="<header>", path="/IcsExchange/Header")]
    if problems:
        raise UnrepresentableRecord("the ics-xml header is not valid: " + "; ".join(problems), field="/header")
    return _serialise(header, 1)


def _child(record: ChildRecord, index: int) -> bytes:
    element = encode_child(record)
    if not ics_schema().validator.validate(element):
        path = f"/IcsExchange/Children/Child[{index}]"
        problems = [issue.message for issue in iter_schema_issues(element, file="<record>", path=path)]
        raise UnrepresentableRecord(
            "ics-xml cannot carry this record as it is: " + "; ".join(problems), field=f"/records/{index - 1}"
        )
    return _serialise(element, 2)


def iter_message_chunks(
    records: Iterable[ChildRecord], *, message_id: str, supplier: str, la_code: str, sent_at: datetime
) -> Iterator[bytes]:
    """The document in pieces (declaration, header, one piece per child, closing tags) for streaming."""
    yield _DECLARATION + _OPEN_ROOT + _header(message_id, supplier, la_code, sent_at)
    wrote_any = False
    for index, record in enumerate(records, start=1):
        if not wrote_any:
            yield b"  <Children>\n"
            wrote_any = True
        yield _child(record, index)
    yield (b"  </Children>\n" if wrote_any else b"  <Children/>\n") + b"</IcsExchange>\n"


def write_message(
    records: Iterable[ChildRecord], *, message_id: str, supplier: str, la_code: str, sent_at: datetime
) -> bytes:
    """One ``IcsExchange`` document with this header.

    Raises :class:`UnrepresentableRecord` for a record (or header value) the format cannot carry.
    """
    return b"".join(
        iter_message_chunks(records, message_id=message_id, supplier=supplier, la_code=la_code, sent_at=sent_at)
    )


class IcsXmlWriter:
    """Writes canonical records as an ``ics-xml`` message (new message id, sent now).

    The header's LA code is ``la_code`` when given, else the first record's first local id's; use
    :func:`write_message` to set every header field (golden files, replays).
    """

    format_id = FORMAT_ID
    media_type = "application/xml"

    def __init__(self, *, supplier: str = DEFAULT_SUPPLIER, la_code: str | None = None) -> None:
        self.supplier = supplier
        self.la_code = la_code

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        items = list(records)
        la_code = self.la_code
        if la_code is None:
            la_code = next((r.child.local_ids[0].la_code for r in items if r.child.local_ids), None)
        if la_code is None:
            raise UnrepresentableRecord(
                "no record has a local id to take the LA code from; pass la_code", field="/header/la_code"
            )
        return write_message(
            items, message_id=str(uuid.uuid4()), supplier=self.supplier, la_code=la_code, sent_at=datetime.now(UTC)
        )
