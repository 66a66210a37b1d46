"""Round trip: canonical ChildRecord -> ics-xml -> canonical keeps every field (lineage aside)."""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters._xml import parse_hardened
from adapters.ics_xml.elements import NOT_CARRIED, iter_layouts
from adapters.ics_xml.layout import OWN_TEXT, Part, Value
from adapters.ics_xml.schema import ics_schema
from adapters.ics_xml.writer import write_message
from gateway import ChildRecord, FieldSource
from tests.adapters.ics_xml.helpers import read_document, without_lineage
from tests.adapters.ics_xml.strategies import child_records

SENT_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _write(records: list[ChildRecord]) -> bytes:
    return write_message(records, message_id="rt-1", supplier="round-trip", la_code="201", sent_at=SENT_AT)


def _models_reached(model: type[BaseModel]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    pending: list[Any] = [model]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in found or annotation is FieldSource:
                continue
            found.add(annotation)
            pending.extend(info.annotation for info in annotation.model_fields.values())
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
            pending.extend(typing.get_args(annotation))
    return found


def test_the_layout_places_every_field_of_every_canonical_model_reached_from_child_record() -> None:
    layouts = {layout.model: members for layout, members in iter_layouts()}
    assert set(layouts) == _models_reached(ChildRecord)
    for model, members in layouts.items():
        placed = {member.field for member in members}
        fixed = next(layout.fixed for layout, _ in iter_layouts() if layout.model is model)
        expected = set(model.model_fields) - {name for owner, name in NOT_CARRIED if owner is model} - set(fixed)
        assert placed == expected, model.__name__


def _leaves(value: object, pointer: str, default: object = None, fixed: frozenset[str] = frozenset()):
    """(pointer, value) of every scalar that differs from its default (tuple items always count)."""
    if isinstance(value, BaseModel):
        fixed_here = next(
            (frozenset(layout.fixed) for layout, _ in iter_layouts() if layout.model is type(value)), frozenset()
        )
        for name, info in type(value).model_fields.items():
            if name == "lineage" or name in fixed_here:
                continue
            yield from _leaves(getattr(value, name), f"{pointer}/{name}", info.get_default(call_default_factory=True))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{index}", object())
    elif value is not None and value != default:
        yield pointer, value


def _empty_parts(value: object, pointer: str):
    """Pointers of sub-models present with every field at its default (``<UASC/>``): lineage says where."""
    if isinstance(value, BaseModel):
        if pointer and not value.model_dump(exclude_defaults=True):
            yield pointer
        for name in type(value).model_fields:
            yield from _empty_parts(getattr(value, name), f"{pointer}/{name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _empty_parts(item, f"{pointer}/{index}")


def _always_written() -> set[str]:
    return {
        member.field
        for _, members in iter_layouts()
        for member in members
        if isinstance(member, Value) and member.always
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(child_records, min_size=1, max_size=3))
def test_canonical_to_ics_xml_to_canonical_keeps_every_field(records: list[ChildRecord]) -> None:
    document = _write(records)
    assert ics_schema().validator.validate(parse_hardened(document)), "the writer must produce schema-valid XML"
    outcome = read_document(document)
    assert outcome.issues == []
    assert [without_lineage(record) for record in outcome.records] == records
    for record in outcome.records:
        noted = {entry.field for entry in record.lineage}
        set_leaves = dict(_leaves(without_lineage(record), ""))
        assert set(set_leaves) <= noted, "a field was set without lineage"
        always = _always_written()
        empty = set(_empty_parts(without_lineage(record), ""))
        for pointer in noted - set(set_leaves) - empty:  # lineage of a default value: only where the schema requires it
            assert pointer.rsplit("/", 1)[1] in always, pointer


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_messages_read_back_exactly_and_without_issues(seed: int) -> None:
    from adapters.ics_xml.synthetic import generate_children  # noqa: PLC0415

    children = list(generate_children(60, seed=seed))
    outcome = read_document(_write([child.record for child in children]))
    assert outcome.issues == []
    assert [without_lineage(record) for record in outcome.records] == [child.record for child in children]


def test_lineage_points_at_the_element_in_the_supplier_file() -> None:
    from adapters.ics_xml.synthetic import generate_children  # noqa: PLC0415

    record = next(generate_children(1, seed=5)).record
    document = _write([record])
    outcome = read_document(document, names=("practice.xml",))
    lineage = {entry.field: entry for entry in outcome.records[0].lineage}
    entry = lineage["/child/local_ids/0/la_child_id"]
    assert entry.step == "ics-xml:LAChildId"
    assert entry.source.file == "practice.xml"
    assert entry.source.path == "/IcsExchange/Children/Child[1]/Identifiers/LocalId[1]/LAChildId"
    line = document.decode().splitlines()[entry.source.line - 1]
    assert "<LAChildId>" in line
    family = lineage["/carers/0/names/0/family"]
    assert family.source.path == "/IcsExchange/Children/Child[1]/Carers/Carer[1]/Names/Name[1]/Family"
    assert "<Family>" in document.decode().splitlines()[family.source.line - 1]


def _members_by_tag() -> dict[str, list[Value | Part]]:
    index: dict[str, list[Value | Part]] = {}
    for _, members in iter_layouts():
        for member in members:
            if member.tag != OWN_TEXT:
                index.setdefault(member.tag, []).append(member)
    return index


def test_every_element_and_attribute_the_layout_uses_is_declared_in_the_schema() -> None:
    xsd = ics_schema().source_text.decode()
    for tag in _members_by_tag():
        name = tag.removeprefix("@")
        assert f'name="{name}"' in xsd, tag
