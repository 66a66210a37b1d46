"""Hostile input: every attack is refused with a clear issue, reads no local file, makes no network call.

Network: ``socket.socket.connect`` is patched to fail the test (catches Python-level fetching, e.g. by
xmlschema), and a listening canary socket on 127.0.0.1 is the target of every URL in the corpus (catches
C-level fetching by libxml2): after reading, it must have no pending connection. Files: every local
target holds a canary string that must appear nowhere in what the reader returns.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from adapters.cin_census.document import MAX_CHILD_ELEMENTS
from tests.adapters.cin_census.support import FIXTURES, Events, read_bytes

SECRET = "CANARY-7f3a-not-for-output"  # noqa: S105 - a canary string, not a credential
VALID = (FIXTURES / "cin-2022-valid.xml").read_bytes()


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A URL base nobody may connect to; fails the test on any Python-level connect."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    try:
        yield f"http://127.0.0.1:{port}"
        server.setblocking(False)
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return  # nothing connected, even from C
        connection.close()
        pytest.fail("a network connection was made to the canary")
    finally:
        server.close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.dtd").write_text(f'<!ENTITY leak "{SECRET}">', encoding="utf-8")
    return path


def _read(data: bytes) -> Events:
    events = read_bytes(data)
    assert SECRET not in repr(events.all)
    return events


def _refused(events: Events, rule: str = "read/unsafe-xml") -> None:
    assert rule in events.rules(), events.located()
    assert all(issue.severity == "error" for issue in events.issues if issue.rule == rule)


def test_xxe_local_file(secret_file: Path, canary: str) -> None:
    doc = f'<!DOCTYPE Message [<!ENTITY x SYSTEM "file://{secret_file}">]><Message><Children>&x;</Children></Message>'
    events = _read(doc.encode())
    _refused(events)
    assert events.records == [] and events.headers == []


def test_xxe_http_and_parameter_entities(canary: str) -> None:
    for doc in (
        f'<!DOCTYPE Message [<!ENTITY x SYSTEM "{canary}/x">]><Message>&x;</Message>',
        f'<!DOCTYPE Message [<!ENTITY % p SYSTEM "{canary}/p.dtd"> %p;]><Message/>',
        "<!DOCTYPE Message [<!ENTITY % p \"<!ENTITY y 'z'>\"> %p;]><Message>&y;</Message>",
    ):
        _refused(_read(doc.encode()))


def test_external_dtd(secret_file: Path, canary: str) -> None:
    for system in (f"file://{secret_file.with_suffix('.dtd')}", f"{canary}/evil.dtd"):
        doc = f'<?xml version="1.0"?><!DOCTYPE Message SYSTEM "{system}"><Message><Children>&leak;</Children></Message>'
        _refused(_read(doc.encode()))


def test_billion_laughs_and_quadratic_blowup(canary: str) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    billion = f'<!DOCTYPE Message [<!ENTITY l0 "lol">{laughs}]><Message><Children>&l9;</Children></Message>'
    big = "A" * 100_000
    quadratic = f'<!DOCTYPE Message [<!ENTITY a "{big}">]><Message><Children>{"&a;" * 10_000}</Children></Message>'
    for doc in (billion, quadratic):
        _refused(_read(doc.encode()))


def test_xinclude_stops_the_file_after_the_children_already_read(secret_file: Path, canary: str) -> None:
    child = VALID[VALID.index(b"<Child>") : VALID.index(b"</Child>") + 8]
    hostile = child.replace(
        b"<Ethnicity>WBRI</Ethnicity>",
        b'<Ethnicity>WBRI</Ethnicity><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://'
        + str(secret_file).encode()
        + b'" parse="text"/>',
    )
    events = _read(VALID.replace(b"</Children>", hostile + b"</Children>"))
    assert len(events.records) == 1  # the first child was read before the XInclude was met
    _refused(events)
    for url in (f"{canary}/x.xml", "http://example.invalid/x.xml"):
        _refused(
            _read(
                VALID.replace(
                    b"<Children>",
                    f'<Children><xi:include xmlns:xi="http://www.w3.org/2003/XInclude" href="{url}"/>'.encode(),
                )
            )
        )


def test_schema_location_hints_are_never_followed(canary: str, secret_file: Path) -> None:
    xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    hints = f'{xsi} xsi:noNamespaceSchemaLocation="{canary}/evil.xsd" xsi:schemaLocation="urn:x {canary}/x.xsd"'
    doc = VALID.replace(b"<Message>", f"<Message {hints}>".encode())
    # a failing child too, so that the xmlschema explainer runs on an element that carries the hints
    failing = doc.replace(b"<Child>", f'<Child xsi:noNamespaceSchemaLocation="file://{secret_file}">'.encode()).replace(
        b"<Ethnicity>WBRI", b"<Ethnicity>XXXX"
    )
    assert _read(doc).issues == []
    events = _read(failing)
    assert events.rules() == ["xsd/enumeration"]


def test_deep_nesting_is_refused() -> None:
    depth = 100_000
    doc = b"<Message><Children><Child>" + b"<a>" * depth + b"</a>" * depth + b"</Child></Children></Message>"
    events = _read(doc)
    assert events.rules() == ["read/too-deep"]
    assert events.issues[0].location is not None and events.issues[0].location.line == 1


def test_a_20_mb_text_node_is_refused() -> None:
    doc = b"<Message><Children><Child><ChildIdentifiers><LAchildID>" + b"x" * (20 * 1024 * 1024)
    events = _read(doc + b"</LAchildID></ChildIdentifiers></Child></Children></Message>")
    assert events.rules() == ["read/too-large"]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (VALID.replace(b"DfEX0000001", b"D\xe9f"), "read/encoding"),  # Latin-1 byte in a UTF-8 file
        (b'<?xml version="1.0" encoding="x-klingon"?>' + VALID, "read/encoding"),
        (b'<?xml version="1.0" encoding="UTF-8"?>' + VALID.decode().encode("utf-16-le"), "read/encoding"),
        (b"\x00\x01\x02binary", "read/xml-syntax"),
        (b"", "read/empty"),
        (VALID[:1500], "read/truncated"),
        (b'{"not": "xml"}', "read/xml-syntax"),
        (VALID.replace(b"</ChildIdentifiers>", b"</ChildIdentifier>"), "read/xml-syntax"),
    ],
)
def test_malformed_and_wrongly_encoded_files_are_located_issues(data: bytes, rule: str) -> None:
    events = _read(data)
    assert rule in events.rules(), events.located()
    assert all(issue.location is not None and issue.location.file == "census.xml" for issue in events.issues)


def test_a_correctly_declared_utf16_file_is_fine() -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?>' + VALID.decode()
    events = _read(doc.encode("utf-16"))
    assert events.issues == [] and len(events.records) == 1


def test_not_a_census_file() -> None:
    assert _read(b"<Foo><Bar/></Foo>").rules() == ["xsd/unexpected-element"]
    assert _read(b'<Message xmlns="urn:other"><Children/></Message>').rules() == ["xsd/unexpected-element"]
    nested = _read(b"<Foo><Message><Children><Child/></Children></Message></Foo>")
    assert nested.rules() == ["xsd/unexpected-element"] and nested.records == []


def _many_children(sizes: list[int]) -> bytes:
    """VALID with its child repeated once per entry, each holding that many extra Disability elements."""
    start, end = VALID.index(b"<Child>"), VALID.index(b"</Children>")
    child = VALID[start:end]
    one = b"<Disability>HAND</Disability>"
    parts = [child.replace(one, one * (1 + extra), 1) for extra in sizes]
    return VALID[:start] + b"\n".join(parts) + VALID[end:]


@pytest.mark.parametrize("where", [0, 37, 79])
def test_a_too_large_child_among_small_ones_is_refused_wherever_it_is(where: int) -> None:
    # The size check answers for every child lxml parsed ahead at once; one too large is still found,
    # first, in the middle (after children the same check let through) or last (parsed when the file ends).
    sizes = [0] * 80
    sizes[where] = 12_000
    events = _read(_many_children(sizes))
    assert events.rules() == ["read/too-large"]
    assert len(events.records) == 79
    assert events.issues[0].location is not None
    assert events.issues[0].location.path == f"/Message/Children/Child[{where + 1}]"


def test_the_size_limit_is_exact_over_several_children() -> None:
    # The limit is on the child's own subtree, however much lxml parsed ahead: a child with 9,999 descendants
    # is read, one with 10,000 is not, whatever its neighbours hold.
    child = etree.fromstring(VALID).find("Children/Child")
    assert child is not None
    under = MAX_CHILD_ELEMENTS - 1 - sum(1 for _ in child.iterdescendants())  # extra Disability elements
    events = _read(_many_children([0, under, under, 0, under + 1, under, 0]))
    assert events.rules() == ["read/too-large"]
    assert len(events.records) == 6
    assert events.issues[0].location is not None
    assert events.issues[0].location.path == "/Message/Children/Child[5]"


def test_a_child_with_a_million_elements_is_refused_not_mapped() -> None:
    disabilities = b"<Disability>HAND</Disability>" * 1_000_000  # schema-valid: the list is unbounded
    doc = VALID.replace(b"<Disability>HAND</Disability>", disabilities)
    events = _read(doc)
    assert events.rules() == ["read/too-large"]
    assert events.records == []
    assert events.issues[0].location is not None
    assert events.issues[0].location.path == "/Message/Children/Child[1]"


@pytest.mark.parametrize("copies", [1, 400])
def test_an_undeclared_entity_is_reported_where_it_is(copies: int) -> None:
    # lxml's incremental parser ends such a file on a bare "no element found" at line 0 (which read as a file
    # cut short, or as an error at line 1); the parser's own log has the real error and its place.
    doc = _many_children([0] * copies)
    line = doc[: doc.rindex(b"<UPN>")].count(b"\n") + 1
    events = _read(doc[: doc.rindex(b"<UPN>")] + b"<UPN>&foo;" + doc[doc.rindex(b"<UPN>") + len(b"<UPN>") :])
    assert events.rules() == ["read/xml-syntax"]
    assert "entity reference" in events.issues[0].message and "foo" not in events.issues[0].message
    assert events.issues[0].location is not None and events.issues[0].location.line == line
    assert len(events.records) == copies - 1
