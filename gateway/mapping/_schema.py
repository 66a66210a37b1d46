"""Validating mapping and code-table files against their published JSON Schemas (``schemas/mapping/``).

The schema editors use is the schema the gateway enforces: one source of truth. Errors name the file and
the JSON path of the offending part, e.g. ``mappings/x.yaml: /fields/2/transforms/0: 'dat' is not ...``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from gateway.mapping._yaml import DataFileError
from gateway.resources import data_dir

__all__ = ["SchemaName", "json_path", "validate_document"]

SchemaName = Literal["mapping", "code-table"]


def json_path(parts: Any) -> str:
    """A JSON pointer for a sequence of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(name: SchemaName) -> Any:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # noqa: PLC0415

    path = data_dir("schemas") / "mapping" / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _first_non_string_key(data: Any, parts: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], Any] | None:
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                return (*parts, key), key
            found = _first_non_string_key(value, (*parts, key))
            if found:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _first_non_string_key(value, (*parts, index))
            if found:
                return found
    return None


def validate_document(name: SchemaName, data: Any, file: str) -> None:
    """Raise :class:`DataFileError` for the first problem (in document order) of ``data`` against the schema."""
    bad_key = _first_non_string_key(data)
    if bad_key is not None:
        parts, key = bad_key
        raise DataFileError(
            file, json_path(parts[:-1]), f"key {key!r} is read as a {type(key).__name__}: quote it (e.g. '\"{key}\"')"
        )
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]  # noqa: PLC0415

    errors = list(_validator(name).iter_errors(data))
    if not errors:
        return
    errors.sort(key=lambda error: [str(part) for part in error.absolute_path])
    first_path = list(errors[0].absolute_path)
    same_place = [error for error in errors if list(error.absolute_path) == first_path]
    error = best_match(same_place)
    # For oneOf failures, the most specific sub-error tells the author what to fix.
    while error.context:
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    raise DataFileError(file, json_path(error.absolute_path), error.message)
