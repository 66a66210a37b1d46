"""``<Child>`` element -> canonical :class:`~gateway.ChildRecord`, with the lineage of every field set.

The decoder walks the layouts of :mod:`adapters.ics_xml.layout` over an element that has already passed
the schema, so every value has the right shape. It collects plain data (white space collapsed where the
schema collapses it) and the lineage of every scalar — the JSON pointer into the ``ChildRecord``, the
element's line and XPath in the supplier's file, and the step ``ics-xml:<element or @attribute>`` — and
validates the whole record once: the lexical forms the schema allows (ISO dates, ``xs:boolean``,
``xs:integer``, date-times with a zone) are exactly ones the canonical model parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from lxml import etree
from pydantic import ValidationError

from adapters.ics_xml.elements import CHILD_RECORD
from adapters.ics_xml.layout import OWN_TEXT, Group, Member, Part, Value
from adapters.ics_xml.schema import FORMAT_ID, NAMESPACE
from gateway import ChildRecord, Lineage, LineageRow

__all__ = ["DecodeError", "collapse", "decode_child", "element_text"]

_NS_PREFIX: Final = f"{{{NAMESPACE}}}"
_STEP_PREFIX: Final = f"{FORMAT_ID}:"
_XML_SPACE: Final = re.compile(r"[ \t\n\r]+")

Route = tuple[str, ...]
"""Fields of inlined parts between the current model and a member (``("child",)`` in ``<Child>``)."""
Data = dict[str, object]


class DecodeError(ValueError):
    """A schema-valid element still could not be decoded (a defect: the layout and the XSD disagree).

    ``path`` and ``line`` locate it; the message never carries the value.
    """

    def __init__(self, message: str, *, path: str, line: int | None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def collapse(text: str) -> str:
    """XML Schema ``whiteSpace="collapse"``: XML white space runs become one space, ends trimmed."""
    return _XML_SPACE.sub(" ", text).strip(" ")


def element_text(element: etree._Element) -> str:
    """The character content of a simple-content element (comments and processing instructions skipped)."""
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())


_GROUP, _WRAPPED, _REPEATED, _VALUE, _PART = range(5)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A member reached from an element: where its value goes (``route``) and its pointer prefix."""

    member: Member
    route: Route
    prefix: str
    """``route`` as a JSON-pointer fragment (``/child``)."""
    local: str = ""
    """The element's local name (the wrapper's, for a wrapped member)."""
    shape: int = _VALUE
    """How the element carries the member: ``_GROUP``, ``_WRAPPED``, ``_REPEATED``, ``_VALUE`` or ``_PART``."""


@dataclass(slots=True)
class _Dispatch:
    """Members compiled for reading: by qualified element tag, by attribute, or the element's own content."""

    elements: dict[str, _Entry] = field(default_factory=dict)
    attributes: list[tuple[str, _Entry]] = field(default_factory=list)
    own_text: list[_Entry] = field(default_factory=list)
    inlines: list[tuple[Route, dict[str, str]]] = field(default_factory=list)
    """Inlined parts (their data always exists, even when empty) with their fixed values."""

    def add(self, members: tuple[Member, ...], route: Route = ()) -> None:
        prefix = "".join(f"/{name}" for name in route)
        for member in members:
            entry = _Entry(member, route, prefix)
            if isinstance(member, Value) and member.is_attribute:
                self.attributes.append((member.tag[1:], entry))
            elif isinstance(member, Value) and member.tag == OWN_TEXT:
                self.own_text.append(entry)
            elif isinstance(member, Part) and member.tag == OWN_TEXT:
                self.inlines.append(((*route, member.field), member.layout.fixed))
                self.add(member.layout.members, (*route, member.field))
            else:
                tag = member.wrapper if not isinstance(member, Group) and member.wrapper else member.tag
                shape = (
                    _GROUP
                    if isinstance(member, Group)
                    else _WRAPPED
                    if member.wrapper
                    else _REPEATED
                    if member.repeat
                    else _VALUE
                    if isinstance(member, Value)
                    else _PART
                )
                self.elements[_NS_PREFIX + tag] = _Entry(member, route, prefix, tag, shape)


_COMPILED: dict[int, tuple[tuple[Member, ...], _Dispatch]] = {}
"""Compiled dispatches by ``id`` of the members tuple (kept alive beside it, so the id stays unique)."""


def _dispatch(members: tuple[Member, ...]) -> _Dispatch:
    """The (cached) dispatch of a layout's or a group's members."""
    cached = _COMPILED.get(id(members))
    if cached is None:
        compiled = _Dispatch()
        compiled.add(members)
        cached = _COMPILED[id(members)] = (members, compiled)
    return cached[1]


@cache
def _local(tag: str) -> str:
    return tag[len(_NS_PREFIX) :] if tag.startswith(_NS_PREFIX) else tag


def _target(data: Data, route: Route) -> Data:
    for name in route:
        inner = data.setdefault(name, {})
        assert isinstance(inner, dict)  # noqa: S101 - routes only ever hold dicts
        data = inner
    return data


def _lexical(value: Value, raw: str) -> str:
    return raw if value.kind == "text" else collapse(raw)


@dataclass(slots=True)
class _Decoding:
    """Decoding one ``<Child>``: the file name and the lineage collected so far (as plain data)."""

    file: str
    lineage: list[LineageRow] = field(default_factory=list)
    """``(field, file, line, row, column, path, step)`` rows, as :meth:`~gateway.Lineage.from_rows` takes them."""

    def note(self, pointer: str, line: int | None, path: str, step: str) -> None:
        self.lineage.append((pointer, self.file, line, None, None, path, _STEP_PREFIX + step))

    def built_lineage(self) -> Lineage:
        """The lineage so far. Its rows are right by construction (strings, and lines from lxml), so they
        are validated when first looked at or serialised, not on this hot path."""
        return Lineage.from_rows(self.lineage, check=False)

    def model(
        self, members: tuple[Member, ...], fixed: dict[str, str], element: etree._Element, xpath: str, pointer: str
    ) -> Data:
        """The data of one model from ``element`` (``pointer`` is its JSON pointer in the record)."""
        data: Data = dict(fixed)
        self.fill(_dispatch(members), element, xpath, pointer, data)
        return data

    def fill(self, compiled: _Dispatch, element: etree._Element, xpath: str, pointer: str, data: Data) -> None:
        line = element.sourceline
        for route, values in compiled.inlines:
            _target(data, route).update(values)
        for name, entry in compiled.attributes:
            raw = element.get(name)
            if raw is not None:
                value = entry.member
                assert isinstance(value, Value)  # noqa: S101
                _target(data, entry.route)[value.field] = _lexical(value, raw)
                self.note(f"{pointer}{entry.prefix}/{value.field}", line, f"{xpath}/{value.tag}", value.tag)
        for entry in compiled.own_text:
            value = entry.member
            assert isinstance(value, Value)  # noqa: S101
            _target(data, entry.route)[value.field] = _lexical(value, element_text(element))
            self.note(f"{pointer}{entry.prefix}/{value.field}", line, xpath, _local(element.tag))
        seen: dict[str, int] = {}
        elements = compiled.elements
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comment or processing instruction
            found = elements.get(tag)
            if found is None:
                raise DecodeError(
                    f"<{_local(tag)}> has no place in the canonical model", path=xpath, line=child.sourceline
                )
            member, local, shape = found.member, found.local, found.shape
            target = _target(data, found.route) if found.route else data
            base = pointer + found.prefix if found.prefix else pointer
            if shape == _VALUE:
                assert isinstance(member, Value)  # noqa: S101
                text = (child.text or "") if len(child) == 0 else element_text(child)
                target[member.field] = text if member.kind == "text" else collapse(text)
                self.lineage.append(
                    (
                        f"{base}/{member.field}",
                        self.file,
                        child.sourceline,
                        None,
                        None,
                        f"{xpath}/{local}",
                        _STEP_PREFIX + local,
                    )
                )
            elif shape == _PART:
                assert isinstance(member, Part)  # noqa: S101
                target[member.field] = part = self.model(
                    member.layout.members, member.layout.fixed, child, f"{xpath}/{local}", f"{base}/{member.field}"
                )
                if not part:  # an empty element still says something (``<UASC/>``: the child is UASC)
                    self.note(f"{base}/{member.field}", child.sourceline, f"{xpath}/{local}", local)
            elif shape == _WRAPPED:
                assert not isinstance(member, Group)  # noqa: S101
                self.wrapped(member, child, f"{xpath}/{local}", base, target)
            elif shape == _REPEATED:
                assert not isinstance(member, Group)  # noqa: S101
                position = seen[local] = seen.get(local, 0) + 1
                items = target.setdefault(member.field, [])
                assert isinstance(items, list)  # noqa: S101
                self.item(member, child, f"{xpath}/{local}[{position}]", f"{base}/{member.field}/{len(items)}", items)
            else:
                assert isinstance(member, Group)  # noqa: S101
                self.fill(_dispatch(member.members), child, f"{xpath}/{local}", base, target)

    def item(self, member: Value | Part, child: etree._Element, path: str, where: str, items: list[object]) -> None:
        """Append one item of a repeated member."""
        if isinstance(member, Value):
            items.append(_lexical(member, element_text(child)))
            self.note(where, child.sourceline, path, member.tag)
        else:
            items.append(part := self.model(member.layout.members, member.layout.fixed, child, path, where))
            if not part:
                self.note(where, child.sourceline, path, member.tag)

    def wrapped(self, member: Value | Part, wrapper: etree._Element, xpath: str, base: str, data: Data) -> None:
        items: list[object] = []
        data[member.field] = items
        inner_tag = _NS_PREFIX + member.tag
        for child in wrapper:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag != inner_tag:
                raise DecodeError(
                    f"<{_local(tag)}> has no place in <{member.wrapper}>", path=xpath, line=child.sourceline
                )
            self.item(
                member, child, f"{xpath}/{member.tag}[{len(items) + 1}]", f"{base}/{member.field}/{len(items)}", items
            )


def decode_child(element: etree._Element, *, file: str, xpath: str) -> ChildRecord:
    """Decode one schema-valid ``<Child>`` (at ``xpath`` in ``file``). Raises :class:`DecodeError`."""
    decoding = _Decoding(file)
    data = decoding.model(CHILD_RECORD.members, CHILD_RECORD.fixed, element, xpath, "")
    data["lineage"] = decoding.built_lineage()
    try:
        return ChildRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        pointer = "".join(f"/{part}" for part in first["loc"])
        source = next((row for row in decoding.lineage if row[0] == pointer), None)
        path, line = (source[5], source[2]) if source is not None else (xpath, element.sourceline)
        raise DecodeError(
            f"the canonical model refused the value of {pointer} ({first['type']})",
            path=str(path),
            line=line if isinstance(line, int) else None,
        ) from exc
