"""The code tables the FHIR adapter uses (data in ``mappings/codes/fhir/``), and lookups that report misses.

A code that a table does not know is never given a default: the canonical field is left unset and an
issue with the table's ``unmapped`` severity names the code (only when it looks like a code, never free
text).
"""

from __future__ import annotations

from functools import cache

from adapters.fhir.context import Collector, Entry
from gateway.errors import ConfigurationError
from gateway.mapping.codes import CodeTable, CodeTables
from gateway.mapping.transforms import describe_code
from gateway.resources import data_dir

__all__ = ["lookup", "table"]


@cache
def _tables() -> CodeTables:
    return CodeTables([data_dir("mappings")])


def table(table_id: str) -> CodeTable:
    """The built-in code table ``table_id`` (a missing table is an installation fault, not bad data)."""
    found = _tables().get(table_id)
    if found is None:
        raise ConfigurationError(f"code table {table_id!r} is missing from mappings/codes")
    return found


def lookup(
    table_id: str,
    code: object,
    collector: Collector,
    entry: Entry,
    path: str,
    *,
    what: str,
    canonical: str | None = None,
) -> str | None:
    """Translate ``code`` with the table, or record an issue (located at ``path`` in ``entry``, and at the
    ``canonical`` field it would have set) and give None."""
    codes = table(table_id)
    if isinstance(code, str):
        found = codes.lookup(code)
        if found is not None:
            return found.code
        described = describe_code(code)
        if not described.startswith("code "):
            described = "the code"
    else:
        described = "the value (not a code)"
    collector.issue(
        "map/fhir/code-unmapped",
        codes.unmapped,
        f"{what}: {described} is not in code table {table_id}; the field was left unset",
        entry,
        path,
        canonical_path=canonical,
    )
    return None
