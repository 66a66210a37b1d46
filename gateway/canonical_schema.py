"""The canonical model's published JSON Schemas (``schemas/canonical/*.schema.json``).

They are generated from the pydantic model and committed, so suppliers and integrators can read and
validate canonical JSON without Python; a test fails when the committed files are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from gateway.model import SCHEMA_VERSION, CanonicalMessage, ChildRecord, Envelope, Issue

__all__ = ["SCHEMA_FILES", "canonical_schemas", "render_schema", "stale_schema_files", "write_schemas"]

_BASE_ID: Final = "https://ecm-gateway.example/schemas/canonical"

SCHEMA_FILES: Final[dict[str, type[BaseModel]]] = {
    "canonical-message.schema.json": CanonicalMessage,
    "child-record.schema.json": ChildRecord,
    "envelope.schema.json": Envelope,
    "issue.schema.json": Issue,
}


def canonical_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema (draft 2020-12) for each published canonical type."""
    result: dict[str, dict[str, Any]] = {}
    for file_name, model in SCHEMA_FILES.items():
        schema = model.model_json_schema(mode="validation")
        result[file_name] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{_BASE_ID}/{SCHEMA_VERSION}/{file_name}",
            "x-canonical-schema-version": SCHEMA_VERSION,
            **schema,
        }
    return result


def render_schema(schema: dict[str, Any]) -> str:
    """Stable text for a schema file (sorted keys, two-space indent, final newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, schema in canonical_schemas().items():
        path = folder / file_name
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written


def stale_schema_files(folder: Path) -> list[str]:
    """Names of schema files in ``folder`` that are missing or differ from the model."""
    stale = []
    for file_name, schema in canonical_schemas().items():
        path = folder / file_name
        if not path.is_file() or path.read_text(encoding="utf-8") != render_schema(schema):
            stale.append(file_name)
    return stale
