"""Loading mapping files: parse (strict YAML), validate (the published JSON Schema), check targets against
the canonical model, resolve code tables and Python steps, compile transforms.

Any problem raises :class:`~gateway.mapping.DataFileError` naming the file and the JSON path inside it,
e.g. ``ssda903/episodes.yaml: /fields/3/transforms/0/code/table: code table 'ssda903/plac' not found``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gateway.mapping._schema import validate_document
from gateway.mapping._yaml import DataFileError, load_yaml_file
from gateway.mapping.codes import CodeTables
from gateway.mapping.engine import FieldRule, MappingSpec, MappingStep, columns_of
from gateway.mapping.rows import split_target
from gateway.mapping.transforms import Transform, compile_transform, fuse
from gateway.model import ChildRecord
from gateway.resources import data_dir

__all__ = ["MappingLibrary", "load_mapping", "mapping_from_data"]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, is_sequence) for ``X | None``, ``tuple[X, ...]`` and plain ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _unwrap(options[0]) if len(options) == 1 else (annotation, False)
    if origin is tuple:
        return typing.get_args(annotation)[0], True
    return annotation, False


def _walk(model: type[BaseModel], path: tuple[str | int, ...]) -> str | None:
    """``None`` when ``path`` names a field under ``model``; else what is wrong."""
    current: Any = model
    sequence = False
    for part in path:
        if isinstance(part, int):
            if not sequence:
                return f"position {part} given but the field before it is not a list"
            sequence = False
            continue
        if sequence:
            return f"{part!r} follows a list field: give a position first (e.g. .../0/{part})"
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return f"{part!r} is below a field that has no parts"
        info = current.model_fields.get(part)
        if info is None:
            known = ", ".join(sorted(current.model_fields))
            return f"{part!r} is not a field of {current.__name__} (fields: {known})"
        current, sequence = _unwrap(info.annotation)
    return None


def _root_model(target: str) -> type[BaseModel] | str:
    if target == "/":
        return ChildRecord
    name = target.strip("/").removesuffix("/-")
    info = ChildRecord.model_fields.get(name)
    if info is None:
        return f"{name!r} is not a part of the ChildRecord"
    inner, sequence = _unwrap(info.annotation)
    if target.endswith("/-") != sequence:
        return f"{name!r} is {'a list: end the target with /-' if sequence else 'not a list: drop the /-'}"
    return inner  # type: ignore[no-any-return]


def _transform_of(item: Any) -> tuple[str, Mapping[str, Any]]:
    if isinstance(item, str):
        return item, {}
    ((name, args),) = item.items()
    return name, args


def mapping_from_data(
    data: Any,
    file: str,
    *,
    tables: CodeTables,
    steps: Mapping[str, MappingStep] | None = None,
) -> MappingSpec:
    """Validate and compile a parsed mapping document (``file`` names it in errors)."""
    validate_document("mapping", data, file)
    root = _root_model(data["target"])
    if isinstance(root, str):
        raise DataFileError(file, "/target", root)
    mapping_id: str = data["id"]
    rules: list[FieldRule] = []
    for index, item in enumerate(data["fields"]):
        where = f"/fields/{index}"
        target = split_target(item["target"])
        problem = _walk(root, target)
        if problem:
            raise DataFileError(file, f"{where}/target", problem)
        compiled: list[Transform] = []
        for position, entry in enumerate(item.get("transforms", ())):
            name, args = _transform_of(entry)
            try:
                compiled.append(compile_transform(name, args, tables))
            except LookupError as exc:
                suffix = "/code/table" if name == "code" else ""
                raise DataFileError(file, f"{where}/transforms/{position}{suffix}", str(exc.args[0])) from exc
        source = item.get("source")
        default_step = source or (item["sources"][0] if "sources" in item else item["target"])
        rules.append(
            FieldRule(
                target=target,
                pointer="/" + "/".join(str(part) for part in target),
                step=f"{mapping_id}:{item.get('step', default_step)}",
                source=source,
                sources=tuple(item.get("sources", ())),
                value=item.get("value"),
                when=item.get("when"),
                transforms=fuse(compiled),
                required=item.get("required", False),
                severity=item.get("severity", "error"),
            )
        )
    names = [rule.name for rule in rules if rule.name is not None]
    rules = [replace(rule, unique=rule.name is not None and names.count(rule.name) == 1) for rule in rules]
    resolved: list[MappingStep] = []
    for index, entry in enumerate(data.get("steps", ())):
        step = (steps or {}).get(entry["plugin"])
        if step is None:
            known = ", ".join(sorted(steps or {})) or "none"
            raise DataFileError(
                file,
                f"/steps/{index}/plugin",
                f"no mapping step {entry['plugin']!r} was given to the loader (given: {known})",
            )
        resolved.append(step)
    return MappingSpec(
        id=mapping_id,
        format=data["format"],
        target=data["target"],
        fields=tuple(rules),
        file=file,
        table=data.get("table"),
        description=data.get("description", ""),
        version=data.get("version", 1),
        steps=tuple(resolved),
        _columns=columns_of(rules),
    )


def load_mapping(
    path: Path,
    *,
    tables: CodeTables | None = None,
    steps: Mapping[str, MappingStep] | None = None,
    display_name: str | None = None,
) -> MappingSpec:
    """Load one mapping file. Code tables come from ``tables`` (default: the gateway's ``mappings/codes``)."""
    name = display_name or path.name
    data = load_yaml_file(path, display_name=name)
    return mapping_from_data(data, name, tables=tables or CodeTables([data_dir("mappings")]), steps=steps)


class MappingLibrary:
    """Mappings and code tables by id, from an ordered list of folders (the first that has an id wins).

    A supplier-specific or plugin folder placed before the gateway's own ``mappings/`` overrides a built-in
    mapping or code table of the same id. Mappings are loaded (and validated) on first use and cached.
    """

    def __init__(
        self,
        folders: Iterable[Path] = (),
        *,
        steps: Mapping[str, MappingStep] | None = None,
        include_builtin: bool = True,
    ) -> None:
        chosen = list(folders)
        if include_builtin:
            chosen.append(data_dir("mappings"))
        self.folders = tuple(chosen)
        self.tables = CodeTables(self.folders)
        self._steps = dict(steps or {})
        self._mappings: dict[str, MappingSpec] = {}

    def get(self, mapping_id: str) -> MappingSpec:
        """The mapping ``mapping_id``. Raises :class:`DataFileError` when it is missing or invalid."""
        spec = self._mappings.get(mapping_id)
        if spec is not None:
            return spec
        for folder in self.folders:
            path = folder / f"{mapping_id}.yaml"
            if path.is_file():
                display = f"{folder.name}/{mapping_id}.yaml"
                spec = mapping_from_data(
                    load_yaml_file(path, display_name=display), display, tables=self.tables, steps=self._steps
                )
                if spec.id != mapping_id:
                    raise DataFileError(display, "/id", f"id {spec.id!r} does not match the file's path")
                self._mappings[mapping_id] = spec
                return spec
        raise DataFileError(f"{mapping_id}.yaml", "", "no such mapping in " + ", ".join(str(f) for f in self.folders))

    def ids(self) -> list[str]:
        """Every mapping id found in the folders: YAML files outside ``codes/`` that have ``target`` and ``fields``.

        (Other data may share the folder, e.g. a matching model; it is not a mapping and is not listed.)
        """
        found: set[str] = set()
        for folder in self.folders:
            for path in folder.rglob("*.yaml"):
                relative = path.relative_to(folder)
                if relative.parts[0] == "codes":
                    continue
                data = load_yaml_file(path, display_name=relative.as_posix())
                if isinstance(data, dict) and "target" in data and "fields" in data:
                    found.add(relative.with_suffix("").as_posix())
        return sorted(found)
