"""Golden files: the reader's events (records with lineage, and issues) for the FHIR fixtures, and the
writer's Bundle for synthetic records. ``ECM_UPDATE_GOLDEN=1`` rewrites them (review the diff)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from adapters.fhir.reader import FhirReader
from adapters.fhir.synthetic import synthetic_record
from adapters.fhir.writer import FhirWriter
from gateway import SourceFile
from tests.adapters.fhir.reading import BUNDLES, FIXTURES, UKCORE
from tests.golden import assert_golden

GOLDEN = FIXTURES / "golden"


@pytest.mark.parametrize("name", ["child-with-caf", "problems"])
def test_bundle_reads_as_the_golden_events(name: str) -> None:
    events = FhirReader().read([SourceFile.from_path(BUNDLES / f"{name}.json")])
    assert_golden(GOLDEN / f"{name}.events.json", events)


def test_ukcore_examples_as_one_submission_read_as_the_golden_events() -> None:
    files = [SourceFile.from_path(path) for path in sorted(UKCORE.glob("*.json"))]
    assert_golden(GOLDEN / "ukcore-examples.events.json", FhirReader().read(files))


def test_writer_output_matches_the_golden_bundle() -> None:
    rng = random.Random(7)
    records = [synthetic_record(rng, index) for index in range(2)]
    actual = json.dumps(FhirWriter().to_bundle(records), indent=1, sort_keys=True) + "\n"
    path = GOLDEN / "synthetic-written.bundle.json"
    if os.environ.get("ECM_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == Path(path).read_text(encoding="utf-8")
