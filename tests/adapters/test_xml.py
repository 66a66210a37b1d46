"""The hardened streaming parse stops at a document's first error and reports it where it is."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from adapters._xml import iterparse_hardened

_CHILDREN = b"".join(b"<Child><UPN>A%d</UPN></Child>\n" % number for number in range(3_000))
_BROKEN = b"<Child><UPN>&foo;</UPN></Child>"


class _Reads(io.BytesIO):
    """Hands the parser the document cut where the test says (then in 32 KiB reads)."""

    def __init__(self, data: bytes, cuts: list[int]) -> None:
        super().__init__(data)
        self._cuts = cuts

    def read(self, size: int | None = -1) -> bytes:
        if self._cuts:
            return super().read(self._cuts.pop(0) - self.tell())
        return super().read(32_768 if size is None or size < 0 else size)


def _parse(data: bytes, cuts: list[int]) -> tuple[list[int], etree.XMLSyntaxError | None]:
    lines: list[int] = []
    try:
        for _event, element in iterparse_hardened(_Reads(data, cuts), events=("end",), tag="Child"):
            lines.append(element.sourceline or 0)
    except etree.XMLSyntaxError as exc:
        return lines, exc
    return lines, None


@pytest.mark.parametrize("where", ["first read", "middle", "cut just before the next child", "last"])
def test_an_undeclared_entity_stops_the_parse_where_it_is(where: str) -> None:
    # lxml's incremental parser starts a new document with the chunk after such an error: it raised a bare
    # "no element found" (line 0), "Start tag expected" at line 1, or nothing at all, and when the next
    # chunk began with a tag it delivered that chunk's elements as a new document's.
    head, tail = _CHILDREN[:40_000], _CHILDREN[40_000:]
    head = head[: head.rindex(b"\n") + 1]
    if where == "first read":
        head, tail = b"", _CHILDREN
    elif where == "last":
        head, tail = _CHILDREN, b""
    data = b"<Message><Children>\n" + head + _BROKEN + b"\n" + tail + b"</Children></Message>"
    line = data[: data.index(b"&foo;")].count(b"\n") + 1
    cut = data.index(b"&foo;") + len(_BROKEN) - len(b"<Child><UPN>")  # just after the broken child
    lines, error = _parse(data, [cut] if where == "cut just before the next child" else [])
    assert error is not None
    assert (error.code, error.lineno) == (etree.ErrorTypes.ERR_UNDECLARED_ENTITY, line)
    assert lines == list(range(2, 2 + head.count(b"<Child>")))  # the children before it, and nothing after


def test_what_follows_an_undeclared_entity_is_not_read_as_a_new_document() -> None:
    # Cut right after the broken child, the rest (a child, on its own well-formed) was delivered as a new
    # document's root, and the parse ended with no error at all.
    data = b"<Message><Children>\n" + _BROKEN + b"<Child><UPN>B</UPN></Child>\n"
    lines, error = _parse(data, [data.index(b"<Child><UPN>B")])
    assert error is not None and (error.code, error.lineno) == (etree.ErrorTypes.ERR_UNDECLARED_ENTITY, 2)
    assert lines == []


def test_a_well_formed_document_cut_anywhere_parses_whole() -> None:
    data = b"<Message><Children>\n" + _CHILDREN + b"</Children></Message>"
    for cut in (1, 9, 20, 4_097, 32_768, len(data) - 3):
        lines, error = _parse(data, [cut])
        assert error is None and len(lines) == 3_000
