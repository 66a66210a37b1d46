"""Golden files: the DfE CSC API reader's events (records with lineage, issues) for each fixture.
``ECM_UPDATE_GOLDEN=1`` rewrites them (review the diff)."""

from __future__ import annotations

import pytest

from adapters.dfe_api.reader import DfeApiReader
from gateway import SourceFile, SubmissionHeader
from tests.adapters.dfe_api.reading import FIXTURES
from tests.golden import assert_golden


@pytest.mark.parametrize("name", ["structure-example", "payload-document", "payload-array"])
def test_payload_reads_as_the_golden_events(name: str) -> None:
    reader = DfeApiReader().for_submission(SubmissionHeader(format_id="dfe-csc-api-json", la_code="201"))
    events = reader.read([SourceFile.from_path(FIXTURES / f"{name}.json")])
    assert_golden(FIXTURES / "golden" / f"{name}.events.json", events)
