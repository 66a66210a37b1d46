"""Loading the gateway's own YAML data files (mappings, code tables) safely and strictly.

``yaml.safe_load`` builds only plain data (never Python objects); on top of it this loader refuses
duplicate keys, which PyYAML would otherwise resolve silently by keeping the last one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gateway.errors import ConfigurationError

__all__ = ["DataFileError", "load_yaml_file"]


class DataFileError(ConfigurationError):
    """A mapping or code-table file cannot be used. The message names the file and the path inside it."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(f"{file}: {path or '/'}: {problem}")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_file(path: Path, *, display_name: str | None = None) -> Any:
    """Parse ``path`` as YAML into plain data; a syntax error raises :class:`DataFileError` with its line."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(name, "", f"cannot be read as UTF-8 text ({exc.__class__.__name__})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataFileError(name, "", f"YAML syntax error at {where}: {problem}") from exc
