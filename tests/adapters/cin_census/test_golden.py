"""Golden files: small synthetic census files (one per schema shape) and their canonical JSON, lineage included.

The XML fixtures are written by the synthetic generator and the JSON Lines by the reader; both are
committed and reviewed. To regenerate after a deliberate change: ``ECM_REGENERATE_GOLDEN=1 pytest
tests/adapters/cin_census/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import orjson
import pytest

from adapters.cin_census.synthetic import write_file
from gateway import ChildRecord, Issue, ReadEvent, SubmissionHeader
from tests.adapters.cin_census.support import FIXTURES, read_path

# (census end year, seed): GenderCurrent and true/false (2018-19); Sex, 0/1 and CIN plans (2024-25)
GOLDEN = [(2019, 2), (2025, 2)]
REGENERATE = os.environ.get("ECM_REGENERATE_GOLDEN") == "1"


def _line(event: ReadEvent) -> bytes:
    if isinstance(event, SubmissionHeader):
        data: dict[str, object] = {"header": {**dataclasses.asdict(event), "reference_date": str(event.reference_date)}}
    elif isinstance(event, ChildRecord):
        data = {"record": event.model_dump(mode="json", exclude_defaults=True)}
    else:
        assert isinstance(event, Issue)
        data = {"issue": event.model_dump(mode="json", exclude_defaults=True)}
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS) + b"\n"


@pytest.mark.parametrize(("year", "seed"), GOLDEN)
def test_generator_reproduces_the_fixture(tmp_path: Path, year: int, seed: int) -> None:
    fixture = FIXTURES / f"synthetic-{year}.xml"
    if REGENERATE:
        write_file(fixture, 4, year=year, seed=seed)
    written = tmp_path / fixture.name
    write_file(written, 4, year=year, seed=seed)
    assert written.read_bytes() == fixture.read_bytes()


@pytest.mark.parametrize(("year", "seed"), GOLDEN)
def test_canonical_json_matches_the_golden_file(year: int, seed: int) -> None:
    del seed
    golden = FIXTURES / "golden" / f"synthetic-{year}.jsonl"
    actual = b"".join(_line(event) for event in read_path(FIXTURES / f"synthetic-{year}.xml").all)
    if REGENERATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(actual)
    assert actual.decode().splitlines() == golden.read_text(encoding="utf-8").splitlines()
