"""Code tables: data files translating one code system into another, with an explicit unmapped policy.

A table lives in ``mappings/codes/<id>.yaml`` (schema: ``schemas/mapping/code-table.schema.json``)::

    id: census-gender-to-sex
    codes: {"1": M, "2": F, "0": U, "9": U}
    aliases: {Male: "1"}        # accepted with a warning
    unmapped: error             # a code not in the table is an issue of this severity, never a default

Tables are looked up by id in an ordered list of folders (a supplier's or plugin's folder first, so it
can override a built-in table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gateway.mapping._schema import validate_document
from gateway.mapping._yaml import DataFileError, load_yaml_file

__all__ = ["CodeLookup", "CodeTable", "CodeTables", "code_table_from_data", "load_code_table"]

UnmappedPolicy = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class CodeLookup:
    """The result of looking a code up: the target code, and the alias used (when the value was one)."""

    code: str
    alias_of: str | None = None


@dataclass(frozen=True)
class CodeTable:
    """One code table, ready for lookups."""

    id: str
    codes: Mapping[str, str]
    unmapped: UnmappedPolicy
    aliases: Mapping[str, str] = field(default_factory=dict)
    case_sensitive: bool = True
    description: str = ""
    source_system: str | None = None
    target_system: str | None = None
    _folded: dict[str, CodeLookup] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        folded = self._folded
        for source, target in self.codes.items():
            folded[self._fold(source)] = CodeLookup(target)
        for alias, source in self.aliases.items():
            key = self._fold(alias)
            if key not in folded:
                folded[key] = CodeLookup(self.codes[source], alias_of=source)

    def _fold(self, value: str) -> str:
        return value if self.case_sensitive else value.upper()

    def lookup(self, value: str) -> CodeLookup | None:
        """The translation of ``value`` (exact, or an alias), or ``None`` when the table does not know it."""
        return self._folded.get(value if self.case_sensitive else value.upper())

    def known_codes(self) -> tuple[str, ...]:
        """The source codes, in table order (for messages)."""
        return tuple(self.codes)


def code_table_from_data(data: Any, file: str) -> CodeTable:
    """Validate ``data`` (a parsed code-table file) and build the table."""
    validate_document("code-table", data, file)
    codes: dict[str, str] = data["codes"]
    aliases: dict[str, str] = data.get("aliases", {})
    for alias, source in aliases.items():
        if source not in codes:
            raise DataFileError(file, f"/aliases/{alias}", f"alias points at {source!r}, which is not in codes")
    return CodeTable(
        id=data["id"],
        codes=dict(codes),
        unmapped=data["unmapped"],
        aliases=dict(aliases),
        case_sensitive=data.get("case_sensitive", True),
        description=data.get("description", ""),
        source_system=data.get("source_system"),
        target_system=data.get("target_system"),
    )


def load_code_table(path: Path, *, display_name: str | None = None) -> CodeTable:
    """Load and validate one code-table file. Raises :class:`~gateway.mapping.DataFileError`."""
    name = display_name or str(path)
    return code_table_from_data(load_yaml_file(path, display_name=name), name)


class CodeTables:
    """Code tables by id, found in ``<folder>/codes/<id>.yaml`` for each folder in order (first wins)."""

    def __init__(self, folders: Iterable[Path]) -> None:
        self._folders = tuple(folders)
        self._tables: dict[str, CodeTable] = {}

    def get(self, table_id: str) -> CodeTable | None:
        """The table ``table_id``, loaded on first use, or ``None`` when no folder has it."""
        table = self._tables.get(table_id)
        if table is not None:
            return table
        for folder in self._folders:
            path = folder / "codes" / f"{table_id}.yaml"
            if path.is_file():
                table = load_code_table(path, display_name=_display(path, folder))
                if table.id != table_id:
                    raise DataFileError(_display(path, folder), "/id", f"id {table.id!r} does not match the file name")
                self._tables[table_id] = table
                return table
        return None

    def add(self, table: CodeTable) -> None:
        """Register an in-memory table (tests, plugins)."""
        self._tables[table.id] = table


def _display(path: Path, folder: Path) -> str:
    try:
        return f"{folder.name}/{path.relative_to(folder).as_posix()}"
    except ValueError:
        return path.name
