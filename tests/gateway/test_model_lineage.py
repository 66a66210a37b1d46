"""``Lineage``: compact storage of a record's field sources, with the JSON of a list of ``FieldSource``."""

from __future__ import annotations

import copy
import pickle

import pytest
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

from gateway import Child, ChildRecord, FieldSource, Lineage, LineageRow, SourceLocation

ROWS: list[LineageRow] = [
    (
        "/child/birth_date",
        "census.xml",
        23,
        None,
        None,
        "/Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate",
        "s1",
    ),
    ("/child/sex", "header.csv", None, 4, "SEX", None, "ssda903/header:SEX"),
]
MODELS = (
    FieldSource(
        field="/child/birth_date",
        source=SourceLocation(
            file="census.xml", line=23, path="/Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate"
        ),
        step="s1",
    ),
    FieldSource(
        field="/child/sex", source=SourceLocation(file="header.csv", row=4, column="SEX"), step="ssda903/header:SEX"
    ),
)
AS_TUPLE = TypeAdapter(tuple[FieldSource, ...])


def test_rows_and_models_make_the_same_lineage() -> None:
    from_rows = Lineage.from_rows(ROWS)
    from_models = Lineage(MODELS)
    assert from_rows == from_models and hash(from_rows) == hash(from_models)
    assert from_rows.rows == tuple(ROWS)
    assert list(from_rows) == list(MODELS) and from_rows[1] == MODELS[1] and len(from_rows) == 2
    assert from_rows == MODELS and from_rows != MODELS[:1] and from_rows != Lineage()


def test_built_entries_know_which_parts_were_given() -> None:
    entry = Lineage.from_rows(ROWS)[0]
    assert entry.source.model_fields_set == {"file", "line", "path"}
    assert entry.model_dump(exclude_unset=True) == MODELS[0].model_dump(exclude_unset=True)


@pytest.mark.parametrize(
    "bad",
    [
        ("/child/sex", "f.xml", 0, None, None, None, "s"),  # lines start at 1
        ("/child/sex", "f.csv", None, -1, "SEX", None, "s"),  # so do rows
        (None, "f.xml", 1, None, None, None, "s"),  # the field is required
        ("/child/sex", "f.xml", "12", None, None, None, "s"),  # no coercion: a line is an int
        ("/child/sex", "f.xml", 1, None, None, None),  # a row has seven parts
    ],
)
def test_rows_are_validated_with_the_models_constraints(bad: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError):
        Lineage.from_rows([ROWS[0], bad])  # type: ignore[list-item]


def test_unchecked_rows_are_validated_before_anything_sees_them() -> None:
    bad: LineageRow = ("/child/sex", "f.xml", 0, None, None, None, "s")
    lineage = Lineage.from_rows([bad], check=False)
    assert len(lineage) == 1  # counting does not look at the entries
    with pytest.raises(ValidationError):
        list(lineage)
    record = ChildRecord(child=Child(), lineage=Lineage.from_rows([bad], check=False))
    with pytest.raises(PydanticSerializationError, match="greater than or equal to 1"):
        record.model_dump_json()
    good = Lineage.from_rows(ROWS, check=False)
    assert list(good) == list(MODELS)


def test_a_record_serialises_lineage_exactly_as_a_tuple_of_field_sources() -> None:
    record = ChildRecord(child=Child(), lineage=Lineage.from_rows(ROWS))
    for options in ({}, {"exclude_none": True}, {"exclude_defaults": True}, {"exclude_unset": True}):
        for mode in ("python", "json"):
            expected = AS_TUPLE.dump_python(MODELS, mode=mode, **options)  # type: ignore[arg-type]
            assert record.model_dump(mode=mode, **options)["lineage"] == list(expected)  # type: ignore[arg-type]
    assert record.model_dump_json().endswith('"lineage":' + AS_TUPLE.dump_json(MODELS).decode() + "}")


def test_a_record_takes_lineage_as_models_dicts_json_or_lineage() -> None:
    expected = Lineage(MODELS)
    dumped = [entry.model_dump() for entry in MODELS]
    for given in (MODELS, list(MODELS), dumped, Lineage.from_rows(ROWS)):
        record = ChildRecord.model_validate({"child": {}, "lineage": given})
        assert isinstance(record.lineage, Lineage) and record.lineage == expected
    from_json = ChildRecord.model_validate_json(ChildRecord(child=Child(), lineage=expected).model_dump_json())
    assert from_json.lineage == expected
    with pytest.raises(ValidationError):
        ChildRecord.model_validate({"child": {}, "lineage": [{**dumped[0], "extra": 1}]})
    assert ChildRecord(child=Child()).lineage == Lineage() == ()


def test_lineage_survives_copy_and_pickle() -> None:
    record = ChildRecord(child=Child(), lineage=Lineage.from_rows(ROWS, check=False))
    assert pickle.loads(pickle.dumps(record)) == record  # noqa: S301 - our own bytes
    assert copy.deepcopy(record) == record


def test_the_json_schema_is_that_of_a_list_of_field_sources() -> None:
    schema = ChildRecord.model_json_schema()
    assert schema["properties"]["lineage"] == {
        "default": [],
        "items": {"$ref": "#/$defs/FieldSource"},
        "title": "Lineage",
        "type": "array",
    }
