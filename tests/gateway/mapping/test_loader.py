"""Mapping and code-table files: the shipped ones are valid; a bad one fails loudly, naming file and path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from gateway.mapping import (
    CodeTables,
    DataFileError,
    MappingLibrary,
    SourceRow,
    code_table_from_data,
    load_code_table,
    load_mapping,
    mapping_from_data,
)
from gateway.resources import data_dir

MAPPINGS = data_dir("mappings")
SCHEMAS = data_dir("schemas") / "mapping"
TABLES = CodeTables([MAPPINGS])


def minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "test/minimal",
        "format": "test",
        "target": "/child",
        "fields": [{"target": "birth_date", "source": "DOB", "transforms": [{"date": {"format": "dd/mm/yyyy"}}]}],
    }
    data.update(changes)
    return data


def error_for(data: Any) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        mapping_from_data(data, "suppliers/acme.yaml", tables=TABLES)
    return caught.value


@pytest.mark.parametrize("name", ["mapping", "code-table"])
def test_published_schemas_are_valid_draft_2020_12_with_ids(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/mapping/{name}.schema.json")
    assert schema["description"]


def test_every_shipped_mapping_loads() -> None:
    library = MappingLibrary(steps={"ssda903:upn": lambda row, mapped: None})
    ids = library.ids()
    assert {"person-csv", "ssda903/header", "ssda903/episodes", "ssda903/reviews", "ssda903/missing"} <= set(ids)
    for mapping_id in ids:
        assert library.get(mapping_id).id == mapping_id


def test_every_shipped_code_table_loads_and_matches_its_path() -> None:
    paths = sorted((MAPPINGS / "codes").rglob("*.yaml"))
    assert paths
    for path in paths:
        table = load_code_table(path)
        assert table.id == path.relative_to(MAPPINGS / "codes").with_suffix("").as_posix()


def test_a_typo_in_a_transform_names_file_path_and_choices() -> None:
    error = error_for(minimal(fields=[{"target": "birth_date", "source": "DOB", "transforms": ["stripp"]}]))
    assert error.file == "suppliers/acme.yaml"
    assert error.path == "/fields/0/transforms/0"
    assert "'stripp' is not one of" in str(error)
    assert str(error).startswith("suppliers/acme.yaml: /fields/0/transforms/0: ")


def test_a_bad_date_format_is_named_at_its_path() -> None:
    field = {"target": "birth_date", "source": "DOB", "transforms": [{"date": {"format": "mm/dd/yy"}}]}
    error = error_for(minimal(fields=[field]))
    assert error.path == "/fields/0/transforms/0/date/format"
    assert "mm/dd/yy" in error.problem


def test_a_field_needs_exactly_one_value_source() -> None:
    assert error_for(minimal(fields=[{"target": "sex"}])).path == "/fields/0"
    assert error_for(minimal(fields=[{"target": "sex", "source": "A", "value": "M"}])).path == "/fields/0"


def test_unknown_keys_are_refused() -> None:
    error = error_for(minimal(fields=[{"target": "sex", "source": "SEX", "python": "os.system('x')"}]))
    assert error.path == "/fields/0" and "python" in error.problem


def test_targets_are_checked_against_the_canonical_model() -> None:
    error = error_for(minimal(fields=[{"target": "birth_dat", "source": "DOB"}]))
    assert error.path == "/fields/0/target"
    assert "'birth_dat' is not a field of Child" in error.problem
    assert "list" in error_for(minimal(fields=[{"target": "names/given", "source": "X"}])).problem
    assert error_for(minimal(target="/looked_after_episodes")).path == "/target"
    assert error_for(minimal(target="/nothing/-")).path == "/target"


def test_unknown_code_table_is_named() -> None:
    field = {"target": "sex", "source": "SEX", "transforms": [{"code": {"table": "no-such-table"}}]}
    error = error_for(minimal(fields=[field]))
    assert error.path == "/fields/0/transforms/0/code/table"
    assert "no-such-table" in error.problem


def test_python_steps_must_be_given_to_the_loader() -> None:
    data = minimal(steps=[{"plugin": "acme:fix"}])
    error = error_for(data)
    assert error.path == "/steps/0/plugin" and "acme:fix" in error.problem

    def fix(row: SourceRow, mapped: Any) -> None:
        mapped.set("upn", "X", location={"file": row.file}, step="acme:fix")

    spec = mapping_from_data(data, "acme.yaml", tables=TABLES, steps={"acme:fix": fix})
    assert spec.apply(SourceRow({}, file="f.csv")).values == {"upn": "X"}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_syntax_errors_and_duplicate_keys_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"bad\.yaml: /: YAML syntax error at line \d+"):
        load_mapping(write(tmp_path, "bad.yaml", "id: x\nfields: [\n"))
    with pytest.raises(DataFileError, match="duplicate key 'id'"):
        load_mapping(write(tmp_path, "dup.yaml", "id: x\nid: y\n"))


def test_unquoted_codes_are_refused_rather_than_silently_changed() -> None:
    data = {"id": "t", "codes": {1: "M"}, "unmapped": "error"}
    with pytest.raises(DataFileError, match=r"key 1 is read as a int: quote it"):
        code_table_from_data(data, "t.yaml")
    data = {"id": "t", "codes": {"Y": True}, "unmapped": "error"}
    with pytest.raises(DataFileError, match=r"/codes/Y"):
        code_table_from_data(data, "t.yaml")


def test_code_table_needs_an_unmapped_policy_and_valid_aliases() -> None:
    with pytest.raises(DataFileError, match="'unmapped' is a required property"):
        code_table_from_data({"id": "t", "codes": {"A": "B"}}, "t.yaml")
    with pytest.raises(DataFileError, match="alias points at 'Z'"):
        code_table_from_data({"id": "t", "codes": {"A": "B"}, "aliases": {"a": "Z"}, "unmapped": "error"}, "t.yaml")


def test_a_supplier_folder_overrides_a_builtin_mapping(tmp_path: Path) -> None:
    override = minimal(id="person-csv", format="person-csv", target="/")
    override["fields"] = [{"target": "child/upn", "source": "pupil_number", "transforms": ["upper"]}]
    write(tmp_path, "person-csv.yaml", yaml.safe_dump(override))
    spec = MappingLibrary([tmp_path]).get("person-csv")
    assert spec.file == f"{tmp_path.name}/person-csv.yaml"
    assert spec.apply(SourceRow({"pupil_number": "a1"})).values == {"child": {"upn": "A1"}}


def test_a_mapping_whose_id_does_not_match_its_path_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "acme/header.yaml", yaml.safe_dump(minimal(id="acme/other")))
    with pytest.raises(DataFileError, match="does not match the file's path"):
        MappingLibrary([tmp_path], include_builtin=False).get("acme/header")
    with pytest.raises(DataFileError, match="no such mapping"):
        MappingLibrary([tmp_path], include_builtin=False).get("acme/missing")
