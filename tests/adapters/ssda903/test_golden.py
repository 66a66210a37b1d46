"""Golden files for the public SSDA903 samples, a synthetic CSV submission and its XML twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ssda903.reader import Ssda903Reader
from adapters.ssda903.synthetic import generate_submission, generate_xml
from gateway import SourceFile
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ssda903"
GOLDEN = FIXTURES / "golden"


@pytest.mark.parametrize(
    ("sample", "la_code"),
    [("SSDA903_2020_episodes.csv", "201"), ("SSDA903_episodes_for_testing_fixes_INPUT.csv", None)],
)
def test_public_samples(sample: str, la_code: str | None) -> None:
    events = Ssda903Reader(la_code=la_code).read([SourceFile.from_path(FIXTURES / sample)])
    assert_golden(GOLDEN / f"{Path(sample).stem}.json", events)


def test_synthetic_csv_submission() -> None:
    files = [SourceFile(name=name, data=data) for name, data in generate_submission(3, year=2024, seed=5)]
    assert_golden(GOLDEN / "synthetic-2024.json", Ssda903Reader(la_code="202").read(files))


def test_synthetic_xml_submission() -> None:
    files = [SourceFile(name="return.xml", data=generate_xml(2, year=2026, seed=6))]
    assert_golden(GOLDEN / "synthetic-2026-xml.json", Ssda903Reader(la_code="202").read(files))
