"""Canonical JSON Lines carries the looked-after parts (from a real SSDA903 read, lineage included), and
a code outside the DfE's lists is an issue located at its line and JSON pointer."""

from __future__ import annotations

from pathlib import Path

from adapters.canonical.jsonl import CanonicalJsonlReader, CanonicalJsonlWriter
from adapters.ssda903.reader import Ssda903Reader
from gateway import ChildRecord, Issue, SourceFile

TABLES = Path(__file__).resolve().parents[2] / "fixtures" / "ssda903" / "care-tables"


def test_records_read_from_every_ssda903_table_round_trip_with_their_lineage() -> None:
    files = [SourceFile.from_path(path) for path in sorted(TABLES.glob("*.csv"))]
    records = [e for e in Ssda903Reader(la_code="201").read(files) if isinstance(e, ChildRecord)]
    assert any(record.adoption_decisions for record in records) and any(record.uasc for record in records)
    data = CanonicalJsonlWriter().write(records)
    back = [e for e in CanonicalJsonlReader().read([SourceFile(name="x.jsonl", data=data)]) if not isinstance(e, Issue)]
    assert back[1:] == records


def test_an_unknown_code_is_a_located_issue() -> None:
    line = b'{"child": {}, "care_leaver": {"activity": "Q9"}}\n'
    issues = [e for e in CanonicalJsonlReader().read([SourceFile(name="x.jsonl", data=line)]) if isinstance(e, Issue)]
    assert issues
    assert issues[0].location is not None and issues[0].location.line == 1
    assert "care_leaver/activity" in (issues[0].location.path or "")
