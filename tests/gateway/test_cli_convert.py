"""``convert`` streams canonical JSON Lines (or a FHIR Bundle) and ``explain`` shows lineage field by field."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from adapters.canonical.jsonl import CanonicalJsonlReader
from adapters.ics_xml import IcsXmlReader
from gateway import ChildRecord, SourceFile
from gateway.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "ics-xml" / "practice-records.xml"


def _records(events: object) -> list[ChildRecord]:
    return [event for event in events if isinstance(event, ChildRecord)]  # type: ignore[attr-defined]


def test_convert_to_canonical_keeps_every_record_and_its_lineage(tmp_path: Path) -> None:
    out = tmp_path / "children.jsonl"
    result = runner.invoke(app, ["convert", str(SAMPLE), "--output", str(out)])
    assert result.exit_code == 0, result.output
    expected = _records(IcsXmlReader().read([SourceFile.from_path(SAMPLE)]))
    converted = _records(CanonicalJsonlReader().read([SourceFile.from_path(out)]))
    assert len(expected) == 15
    assert converted == expected
    assert all(record.lineage for record in converted)


def test_convert_to_fhir_writes_one_bundle(tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    result = runner.invoke(app, ["convert", str(SAMPLE), "--to", "fhir", "--output", str(out)])
    assert result.exit_code == 0, result.output
    bundle = orjson.loads(out.read_bytes())
    assert bundle["resourceType"] == "Bundle"
    patients = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert len(patients) == 15


def test_convert_refuses_unknown_target_and_missing_file(tmp_path: Path) -> None:
    assert runner.invoke(app, ["convert", str(SAMPLE), "--to", "hl7v2"]).exit_code == 2
    assert runner.invoke(app, ["convert", str(tmp_path / "none.xml")]).exit_code == 2


def test_explain_shows_each_field_beside_its_source() -> None:
    record = _records(IcsXmlReader().read([SourceFile.from_path(SAMPLE)]))[0]
    child = record.child.local_ids[0].la_child_id
    result = runner.invoke(app, ["explain", str(SAMPLE), "--child", child], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    first = record.lineage[0]
    assert first.field in result.output
    assert f"{SAMPLE.name}:{first.source.line}" in result.output
    assert first.step in result.output
    missing = runner.invoke(app, ["explain", str(SAMPLE), "--child", "NOSUCHCHILD"])
    assert missing.exit_code == 2
