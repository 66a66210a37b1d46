"""The one description of how ``ics-xml`` elements carry canonical fields, used in both directions.

The layouts themselves are in :mod:`adapters.ics_xml.elements`. The reader (:mod:`adapters.ics_xml.decoder`)
and the writer (:mod:`adapters.ics_xml.encoder`) both walk them, so what is written is exactly what is read
back, and a test checks that every field of every canonical model reached from :class:`~gateway.ChildRecord`
has a place. The element order in each layout is the order of the ``xs:sequence`` in the schema.

Three kinds of member:

* :class:`Value` — a scalar field in an element's text (``tag``), an attribute (``@name``) or the
  element's own simple content (``.``); ``repeat`` for a tuple of scalars, optionally in a ``wrapper``;
* :class:`Part` — a field holding a sub-model: one element, or a repeated element in a plural wrapper
  (``Carers/Carer``); ``.`` inlines the sub-model's elements into the current element;
* :class:`Group` — an element that only groups some of the current model's fields (``Identifiers``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from pydantic import BaseModel

__all__ = ["OWN_TEXT", "Group", "Kind", "Layout", "Member", "Part", "Value"]

Kind = Literal["text", "token", "date", "instant", "bool", "int"]
"""How a scalar is written: ``text`` exactly as is (``xs:string``); ``token`` with XML white space
collapsed (``xs:token``); ``date`` ``YYYY-MM-DD``; ``instant`` ISO 8601 with a time zone; ``bool``
``true``/``false``; ``int`` decimal."""

OWN_TEXT: Final = "."
"""The tag of a member carried by the current element itself (its simple content, or inlined parts)."""


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar field: element text, attribute (``@name``) or the element's own content (``.``)."""

    tag: str
    field: str
    kind: Kind = "token"
    repeat: bool = False
    wrapper: str | None = None
    always: bool = False
    """Written even when it equals the model default (the schema requires the element)."""

    @property
    def is_attribute(self) -> bool:
        return self.tag.startswith("@")


@dataclass(frozen=True, slots=True)
class Part:
    """A field holding a sub-model (or a tuple of them)."""

    tag: str
    field: str
    layout: Layout
    repeat: bool = False
    wrapper: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """An element that groups some of the current model's own fields."""

    tag: str
    members: tuple[Member, ...]


Member = Value | Part | Group


@dataclass(frozen=True, slots=True)
class Layout:
    """How one canonical model sits in an element."""

    model: type[BaseModel]
    members: tuple[Member, ...]
    fixed: dict[str, str] = field(default_factory=dict)
    """Fields with one value the format implies (ethnicity is always a DfE code)."""
