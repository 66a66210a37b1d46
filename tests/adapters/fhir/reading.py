"""Helpers shared by the FHIR adapter tests: read files or data and split the events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from adapters.fhir.reader import FhirReader
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader

__all__ = ["BUNDLES", "FIXTURES", "READER", "UKCORE", "Read", "bundle", "read_data", "read_paths", "read_sources"]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fhir-r4-json"
UKCORE = FIXTURES / "ukcore"
BUNDLES = FIXTURES / "bundles"
READER = FhirReader()


@dataclass
class Read:
    """What a read produced."""

    headers: list[SubmissionHeader]
    records: list[ChildRecord]
    issues: list[Issue]

    def rules(self) -> list[str]:
        return [issue.rule for issue in self.issues]

    def issue(self, rule: str) -> Issue:
        found = [issue for issue in self.issues if issue.rule == rule]
        assert len(found) == 1, (rule, self.rules())
        return found[0]


def read_sources(sources: Sequence[SourceFile], reader: FhirReader = READER) -> Read:
    result = Read([], [], [])
    for event in reader.read(sources):
        if isinstance(event, ChildRecord):
            result.records.append(event)
        elif isinstance(event, Issue):
            result.issues.append(event)
        else:
            assert isinstance(event, SubmissionHeader)
            result.headers.append(event)
    return result


def read_paths(paths: Iterable[Path]) -> Read:
    return read_sources([SourceFile.from_path(path) for path in paths])


def read_data(data: bytes | dict[str, Any], name: str = "submission.json") -> Read:
    raw = data if isinstance(data, bytes) else orjson.dumps(data)
    return read_sources([SourceFile(name=name, data=raw)])


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    """A collection Bundle with ``urn:uuid:rN`` fullUrls in order (r0, r1 ...)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:r{index}", "resource": resource} for index, resource in enumerate(resources)],
    }
