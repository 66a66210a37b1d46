"""One ``<Child>`` element -> a canonical ``ChildRecord`` with the lineage of every field.

One pass over the child's subtree (no repeated ``find`` calls): each element is visited once, its value
parsed, and the canonical field, its JSON pointer and its source (line and XPath) recorded together
(:mod:`adapters.cin_census.mapper`, :mod:`adapters.cin_census.episodes`). The record is validated by
pydantic once, from plain data, at the end.

The mapping never assumes the child passed the schema: a child that fails it is still mapped as far as it
can be, and the reader drops a ``map/`` issue when an ``xsd/`` issue already points at the same element.
Ids given to episodes and their parts are stable — the LA code, the LA child id and the position in the
file (``201/C123/cin1/assessment2``) — so re-reading the same file gives the same ids.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from lxml import etree

from adapters.cin_census.episodes import map_episode, tables_for
from adapters.cin_census.mapper import ChildMapper, HeaderFacts, record_key
from adapters.cin_census.schemas import CensusSchema
from gateway import ChildRecord, Issue

__all__ = ["ChildData", "MappedChild", "child_data", "map_child", "map_data"]


class ChildData(NamedTuple):
    """One child mapped to ``ChildRecord``-shaped plain data (not yet validated by the model).

    Immutable like a frozen dataclass, and cheaper to make once per child."""

    data: dict[str, Any]
    la_child_id: str | None
    issues: tuple[Issue, ...]


class MappedChild(NamedTuple):
    """The outcome of mapping one child."""

    record: ChildRecord
    la_child_id: str | None
    issues: tuple[Issue, ...]


def map_data(
    child: etree._Element, schema: CensusSchema, header: HeaderFacts, position: int
) -> tuple[dict[str, Any], str | None, list[Issue]]:
    """What :func:`child_data` gives, as a plain tuple (the reader's hot path): the record's data, the LA
    child id and the mapping issues (a new list, the caller's to keep)."""
    mapper = ChildMapper(schema, header, position)
    data: dict[str, Any] = {}
    sections = child[:]
    for node in sections:  # first: the LA child id gives the episodes their ids
        if node.tag == "ChildIdentifiers":
            mapper.identifiers(node, mapper.base + "/ChildIdentifiers", data)
            break
    record: dict[str, Any] = {"child": data}
    key = record_key(header.la_code, mapper.la_child_id, position)
    tables = tables_for(schema)
    episode = 0
    for node in sections:
        tag = node.tag
        if tag == "CINdetails":
            episode += 1
            map_episode(mapper, tables, node, episode, key, record=record)
        elif tag == "ChildCharacteristics":
            mapper.characteristics(node, mapper.base + "/ChildCharacteristics", data)
    if "disabilities" in data and not data["disabilities"]:
        del data["disabilities"]
    record["lineage"] = mapper.built_lineage()
    return record, mapper.la_child_id, mapper.issues


def child_data(child: etree._Element, schema: CensusSchema, header: HeaderFacts, position: int) -> ChildData:
    """The single pass over the ``position``-th (1-based) ``<Child>``: canonical data, lineage and issues."""
    data, la_child_id, issues = map_data(child, schema, header, position)
    return ChildData(data, la_child_id, tuple(issues))


def map_child(child: etree._Element, schema: CensusSchema, header: HeaderFacts, position: int) -> MappedChild:
    """Map the ``position``-th (1-based) ``<Child>`` of the file to a validated canonical record.

    The whole record — every nested model and its constraints — is validated by pydantic in one call
    (exactly what ``ChildRecord.model_validate`` does, without its Python-level wrapper)."""
    data, la_child_id, issues = map_data(child, schema, header, position)
    return MappedChild(ChildRecord.__pydantic_validator__.validate_python(data), la_child_id, tuple(issues))
