"""Small hand-written ics-xml documents for reader tests (all data invented)."""

from __future__ import annotations

__all__ = ["HEADER", "NS", "child", "message"]

NS = "urn:ecm-gateway:ics:1"
HEADER = (
    "<Header><MessageId>msg-1</MessageId><Supplier>acme-ics</Supplier><LACode>201</LACode>"
    "<SentAt>2026-01-05T09:30:00Z</SentAt></Header>"
)


def child(la_child_id: str = "T0001", body: str = "") -> str:
    """A ``<Child>`` with a local id and ``body`` after the identifiers."""
    return (
        f"<Child><Identifiers><LocalId><LACode>201</LACode><LAChildId>{la_child_id}</LAChildId></LocalId>"
        f"</Identifiers>{body}</Child>"
    )


def message(*children: str, header: str = HEADER, root_attributes: str = "") -> bytes:
    """An ``IcsExchange`` document, one element per line so that line numbers are easy to assert."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<IcsExchange xmlns="{NS}" schemaVersion="1.0"{root_attributes}>',
        header,
        "<Children>",
        *children,
        "</Children>",
        "</IcsExchange>",
    ]
    return "\n".join(lines).encode("utf-8")
