"""Hostile input: every document here is refused (or defused) with a clear issue, reads no file, calls no network.

A local HTTP server counts requests (libxml2 would fetch from C, below any Python socket guard), and Python's
own sockets are blocked too (xmlschema would fetch through urllib). Nothing here times anything.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.ics_xml.documents import NS, child, message
from tests.adapters.ics_xml.helpers import Outcome, read_document

MARKER = "LEAK-MARKER-7731"


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared on purpose: the test reads it

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        body = f'<!ENTITY leak "{MARKER}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    _Counter.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def no_python_network(monkeypatch: pytest.MonkeyPatch, server: str) -> list[object]:
    """Block Python-level connections (except the test's own server thread, which only accepts)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access is not allowed while reading ics-xml")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER)
    return path


def _refused(outcome: Outcome, rule: str) -> None:
    assert outcome.records == []
    assert rule in outcome.rules(), outcome.issues
    for issue in outcome.issues:
        assert MARKER not in issue.message
        assert issue.message  # a clear sentence, not an empty error


def _with_doctype(doctype: str, body: str = "&leak;") -> bytes:
    document = message(child("T1", f"<ShieldingReason>{body}</ShieldingReason>"))
    return document.replace(b"<IcsExchange", doctype.encode() + b"\n<IcsExchange", 1)


def test_xxe_reading_a_local_file_is_refused(secret_file: Path, no_python_network: list[object]) -> None:
    _refused(
        read_document(_with_doctype(f'<!DOCTYPE IcsExchange [<!ENTITY leak SYSTEM "{secret_file.as_uri()}">]>')),
        "read/unsafe-xml",
    )


def test_xxe_over_http_is_refused_without_a_request(server: str, no_python_network: list[object]) -> None:
    _refused(
        read_document(_with_doctype(f'<!DOCTYPE IcsExchange [<!ENTITY leak SYSTEM "{server}/x">]>')), "read/unsafe-xml"
    )
    assert _Counter.hits == [] and no_python_network == []


def test_parameter_entities_and_external_dtds_are_refused_without_a_request(
    server: str, no_python_network: list[object]
) -> None:
    for doctype in (
        f'<!DOCTYPE IcsExchange [<!ENTITY % remote SYSTEM "{server}/p.dtd"> %remote;]>',
        f'<!DOCTYPE IcsExchange SYSTEM "{server}/ics.dtd">',
        f'<!DOCTYPE IcsExchange PUBLIC "-//ECM//ICS//EN" "{server}/ics.dtd">',
    ):
        _refused(read_document(_with_doctype(doctype)), "read/unsafe-xml")
    assert _Counter.hits == [] and no_python_network == []


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    _refused(read_document(_with_doctype(f"<!DOCTYPE IcsExchange [{entities}]>", "&lol9;")), "read/unsafe-xml")


def test_quadratic_blowup_is_refused() -> None:
    doctype = f'<!DOCTYPE IcsExchange [<!ENTITY big "{"x" * 100_000}">]>'
    _refused(read_document(_with_doctype(doctype, "&big;" * 10_000)), "read/unsafe-xml")


def test_xinclude_is_refused(secret_file: Path) -> None:
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret_file.as_uri()}" parse="text"/>'
    _refused(read_document(message(child("T1", f"<ShieldingReason>{include}</ShieldingReason>"))), "read/unsafe-xml")


def test_xsi_schema_location_pointing_at_a_url_is_never_fetched(server: str, no_python_network: list[object]) -> None:
    attributes = f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{NS} {server}/evil.xsd"'
    bad_child = child("T2", "<Sex>Q</Sex>")  # fails, so the explainer (xmlschema) runs too
    outcome = read_document(message(child("T1"), bad_child, root_attributes=attributes))
    assert len(outcome.records) == 1
    assert {"read/schema-location-ignored", "xsd/invalid-value"} <= outcome.rules()
    assert _Counter.hits == [] and no_python_network == []


def test_100000_deep_nesting_is_refused() -> None:
    depth = 100_000
    outcome = read_document(message(child("T1", "<Names>" + "<Name>" * depth + "</Name>" * depth + "</Names>")))
    _refused(outcome, "read/too-deep")


def test_a_20_mb_text_node_is_refused() -> None:
    outcome = read_document(message(child("T1", f"<ShieldingReason>{'a' * 20_000_000}</ShieldingReason>")))
    _refused(outcome, "read/too-large")


_LATIN1 = message(child("T1", "<ShieldingReason>Renee</ShieldingReason>")).replace(b"Renee", b"Ren\xe9e")


@pytest.mark.parametrize(
    ("document", "mentions"),
    [
        (("\ufeff" + message(child()).decode()).encode("utf-16-le"), "UTF-16"),
        (message(child()).decode().encode("utf-16-be"), "UTF-16"),
        (message(child()).replace(b"UTF-8", b"ISO-8859-1"), "ISO-8859-1"),
        (message(child()).replace(b"UTF-8", b"IBM037"), "IBM037"),
        (message(child()).replace(b"UTF-8", b"UTF-7"), "UTF-7"),
        (_LATIN1, "UTF-8"),
    ],
    ids=["utf-16-bom", "utf-16-no-bom", "latin-1-declared", "ebcdic-declared", "utf-7-declared", "latin-1-bytes"],
)
def test_documents_not_in_utf8_are_refused(document: bytes, mentions: str) -> None:
    outcome = read_document(document)
    _refused(outcome, "read/encoding")
    assert mentions in outcome.issues[0].message
    assert "Ren" not in outcome.issues[0].message


@pytest.mark.parametrize(
    "document",
    [b"", b"not xml at all", b"\x00\x00\x00", message(child())[:-40], message(child("T\x001"))],
    ids=["empty", "text", "nul-bytes", "truncated", "nul-in-id"],
)
def test_broken_documents_are_refused_with_a_located_syntax_issue(document: bytes) -> None:
    outcome = read_document(document)
    assert outcome.records == []
    assert [issue.rule for issue in outcome.errors] == ["read/xml-syntax"]
