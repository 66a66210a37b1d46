"""Canonical :class:`~gateway.ChildRecord` -> ``<Child>`` element, by the layouts the reader also uses.

A field equal to its model default is left out (the schema declares the same defaults), except where the
schema requires the element. A value the format cannot carry exactly — a character XML 1.0 forbids,
white space in an identifier or code that the schema would collapse, a time-zone offset in seconds that
cannot be written as ``+hh:mm`` without changing the instant's zone (written in UTC instead, which keeps
the instant) — is handled here; anything the schema then refuses is reported by the writer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from lxml import etree
from pydantic import BaseModel

from adapters.ics_xml.decoder import collapse
from adapters.ics_xml.elements import CHILD_RECORD
from adapters.ics_xml.layout import OWN_TEXT, Group, Kind, Layout, Member, Part, Value
from adapters.ics_xml.schema import NAMESPACE
from gateway import ChildRecord, GatewayError

__all__ = ["UnrepresentableRecord", "encode_child", "format_scalar"]

_NS_PREFIX: Final = f"{{{NAMESPACE}}}"
_NSMAP: Final = {None: NAMESPACE}


class UnrepresentableRecord(GatewayError):
    """A canonical record holds a value ``ics-xml`` cannot carry. Names the field, never the value."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def format_scalar(kind: Kind, value: object, *, field: str) -> str:
    """The lexical form of ``value`` in ``ics-xml``. Raises :class:`UnrepresentableRecord`."""
    if kind == "text":
        if not isinstance(value, str):
            raise UnrepresentableRecord("expected text", field=field)
        return value
    if kind == "token":
        text = str(value)
        if collapse(text) != text:
            raise UnrepresentableRecord(
                "leading, trailing, repeated or non-space white space is not kept in identifiers and codes",
                field=field,
            )
        return text
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise UnrepresentableRecord("expected an integer", field=field)
        return str(value)
    if kind == "instant":
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise UnrepresentableRecord("expected a date and time with a time zone", field=field)
        offset = value.utcoffset()
        if offset is not None and offset % timedelta(minutes=1):
            value = value.astimezone(UTC)  # +hh:mm:ss is not ISO 8601 / xs:dateTime; the instant is kept
            offset = timedelta(0)
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if offset == timedelta(0) else text
    if not isinstance(value, date) or isinstance(value, datetime):
        raise UnrepresentableRecord("expected a date", field=field)
    return value.isoformat()


def _default(layout: Layout, name: str) -> tuple[bool, object]:
    """(has a default, the default) of a model field."""
    info = layout.model.model_fields[name]
    if info.is_required():
        return False, None
    return True, info.get_default(call_default_factory=True)


def _skip(layout: Layout, member: Value | Part, value: object) -> bool:
    if isinstance(member, Value) and member.always:
        return False
    has_default, default = _default(layout, member.field)
    return has_default and value == default


def _set_text(element: etree._Element, text: str, field: str) -> None:
    try:
        element.text = text
    except ValueError as exc:  # lxml: not XML-compatible (control characters, NUL, unpaired surrogates)
        raise UnrepresentableRecord("contains a character XML 1.0 cannot carry", field=field) from exc


def _set_attribute(element: etree._Element, name: str, text: str, field: str) -> None:
    try:
        element.set(name, text)
    except ValueError as exc:
        raise UnrepresentableRecord("contains a character XML 1.0 cannot carry", field=field) from exc


class _Encoding:
    def model(self, layout: Layout, model: BaseModel, element: etree._Element, pointer: str) -> None:
        """Write ``model``'s fields into ``element`` (already created for it)."""
        for name, fixed in layout.fixed.items():
            if getattr(model, name) != fixed:
                raise UnrepresentableRecord(f"ics-xml carries only {fixed} codes here", field=f"{pointer}/{name}")
        self._members(layout, layout.members, model, element, pointer)

    def _members(
        self, layout: Layout, members: tuple[Member, ...], model: BaseModel, element: etree._Element, pointer: str
    ) -> None:
        for member in members:
            if isinstance(member, Group):
                group = etree.SubElement(element, _NS_PREFIX + member.tag)
                self._members(layout, member.members, model, group, pointer)
                if len(group) == 0 and not group.attrib and group.text is None:
                    element.remove(group)
                continue
            value = getattr(model, member.field)
            if _skip(layout, member, value):
                continue
            where = f"{pointer}/{member.field}"
            if isinstance(member, Value):
                self._value(member, value, element, where)
            else:
                self._part(member, value, element, where)

    def _value(self, member: Value, value: object, element: etree._Element, where: str) -> None:
        if member.is_attribute:
            _set_attribute(element, member.tag[1:], format_scalar(member.kind, value, field=where), where)
            return
        if member.tag == OWN_TEXT:
            _set_text(element, format_scalar(member.kind, value, field=where), where)
            return
        if not member.repeat:
            child = etree.SubElement(element, _NS_PREFIX + member.tag)
            _set_text(child, format_scalar(member.kind, value, field=where), where)
            return
        assert isinstance(value, tuple)  # noqa: S101 - repeat members are tuples in the model
        parent = etree.SubElement(element, _NS_PREFIX + member.wrapper) if member.wrapper else element
        for index, item in enumerate(value):
            child = etree.SubElement(parent, _NS_PREFIX + member.tag)
            _set_text(child, format_scalar(member.kind, item, field=f"{where}/{index}"), f"{where}/{index}")

    def _part(self, member: Part, value: object, element: etree._Element, where: str) -> None:
        if member.tag == OWN_TEXT:
            assert isinstance(value, BaseModel)  # noqa: S101
            self.model(member.layout, value, element, where)
            return
        if not member.repeat:
            assert isinstance(value, BaseModel)  # noqa: S101
            self.model(member.layout, value, etree.SubElement(element, _NS_PREFIX + member.tag), where)
            return
        assert isinstance(value, tuple)  # noqa: S101
        parent = etree.SubElement(element, _NS_PREFIX + member.wrapper) if member.wrapper else element
        for index, item in enumerate(value):
            child = etree.SubElement(parent, _NS_PREFIX + member.tag)
            self.model(member.layout, item, child, f"{where}/{index}")


def encode_child(record: ChildRecord) -> etree._Element:
    """The ``<Child>`` element for ``record`` (its lineage is not carried). Raises :class:`UnrepresentableRecord`."""
    element = etree.Element(_NS_PREFIX + "Child", nsmap=_NSMAP)
    _Encoding().model(CHILD_RECORD, record, element, "")
    return element
