"""``ecm-gateway duplicates`` end to end on canonical JSON Lines (files written from synthetic records)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from gateway import Address, Carer, Child, ChildRecord, LocalId, PersonName
from gateway.cli import app
from gateway.matching import IdentityRecord

runner = CliRunner()


def _child_record(record: IdentityRecord) -> ChildRecord:
    return ChildRecord(
        child=Child(
            names=tuple(PersonName(given=n.given, family=n.family) for n in record.names),
            birth_date=record.birth_date,
            sex=record.sex,
            nhs_number=record.nhs_number,
            local_ids=tuple(LocalId(la_code=x[:3], la_child_id=x[4:]) for x in record.local_ids),
            addresses=tuple(Address(lines=(a.line,) if a.line else (), postcode=a.postcode) for a in record.addresses),
        ),
        carers=tuple(Carer(names=(PersonName(given=c.given, family=c.family),)) for c in record.carer_names),
    )


def _write(path: Path, records: list[IdentityRecord]) -> None:
    path.write_bytes(
        b"".join(orjson.dumps(_child_record(r).model_dump(mode="json", exclude_defaults=True)) + b"\n" for r in records)
    )


def _records() -> tuple[list[IdentityRecord], list[IdentityRecord]]:
    from tests.gateway.matching.helpers import child  # noqa: PLC0415

    first = [
        child("x", nhs="9434765919", local_ids=("201:A1",)),
        child("y", given="Ruby", family="Jones", postcode="M14 5QT", line="3 Mill Lane", birth=None),
    ]
    second = [
        child("z", given="Olly", nhs="9434765919"),
        child("w", given="Isla", family="Patel", postcode="B12 9QT", line="5 York Road"),
    ]
    return first, second


def test_duplicates_across_files_to_csv(tmp_path: Path) -> None:
    first, second = _records()
    _write(tmp_path / "council.jsonl", first)
    _write(tmp_path / "health.jsonl", second)
    out = tmp_path / "pairs.csv"
    result = runner.invoke(
        app, ["duplicates", str(tmp_path / "council.jsonl"), str(tmp_path / "health.jsonl"), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "4 record(s) in 2 file(s); pairs: 1 certain, 0 probable, 0 possible" in result.output
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["record_a"], r["record_b"], r["grade"], r["local_ids_a"]) for r in rows] == [
        ("council.jsonl#1", "health.jsonl#1", "certain", "201:A1")
    ]
    assert "NHS number agrees" in rows[0]["explanation"]
    assert "given names are forms of the same name" in rows[0]["explanation"]
    assert float(rows[0]["weight"]) > 22


def test_duplicates_to_json_and_bad_arguments(tmp_path: Path) -> None:
    first, second = _records()
    _write(tmp_path / "all.jsonl", first + second)
    out = tmp_path / "pairs.json"
    result = runner.invoke(app, ["duplicates", str(tmp_path / "all.jsonl"), "-f", "canonical-jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    pairs = json.loads(out.read_text(encoding="utf-8"))["pairs"]
    assert [(p["record_a"], p["record_b"]) for p in pairs] == [("all.jsonl#1", "all.jsonl#3")]
    assert runner.invoke(app, ["duplicates", str(tmp_path / "missing.jsonl")]).exit_code == 2
    assert runner.invoke(app, ["duplicates", str(tmp_path / "all.jsonl"), "--min-grade", "best"]).exit_code == 2
    assert runner.invoke(app, ["duplicates", str(tmp_path / "all.jsonl"), "--estimate"]).exit_code == 2
