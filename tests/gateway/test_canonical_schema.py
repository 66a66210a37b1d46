"""The published canonical JSON Schemas: valid, current, and accepting what the model accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from gateway.canonical_schema import SCHEMA_FILES, canonical_schemas, stale_schema_files, write_schemas

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "schemas" / "canonical"


def test_committed_schemas_match_the_model() -> None:
    stale = stale_schema_files(FOLDER)
    assert not stale, f"run `ecm-gateway schema export`: stale {stale}"


def test_staleness_is_detected(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    assert stale_schema_files(tmp_path) == []
    (tmp_path / "issue.schema.json").write_text("{}", encoding="utf-8")
    assert stale_schema_files(tmp_path) == ["issue.schema.json"]


@pytest.mark.parametrize("file_name", sorted(SCHEMA_FILES))
def test_schema_is_valid_json_schema(file_name: str) -> None:
    schema = json.loads((FOLDER / file_name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_sample_records_validate_against_child_record_schema() -> None:
    validator = jsonschema.Draft202012Validator(canonical_schemas()["child-record.schema.json"])
    lines = (ROOT / "samples" / "canonical" / "children.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        validator.validate(json.loads(line))


def test_schema_refuses_what_the_model_refuses() -> None:
    validator = jsonschema.Draft202012Validator(canonical_schemas()["child-record.schema.json"])
    assert not validator.is_valid({"child": {"sex": "X"}})
    assert not validator.is_valid({"child": {}, "unexpected": 1})
    assert validator.is_valid({"child": {"sex": "U", "nhs_number": "9912003890"}})
