"""Helpers shared by the DfE CSC API reader tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from adapters.dfe_api.reader import DfeApiReader
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader

__all__ = ["FIXTURES", "Read", "read"]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dfe-csc-api"


@dataclass
class Read:
    header: SubmissionHeader
    records: list[ChildRecord]
    issues: list[Issue]

    def rules(self) -> list[str]:
        return [issue.rule for issue in self.issues]

    def issue(self, rule: str) -> Issue:
        found = [issue for issue in self.issues if issue.rule == rule]
        assert len(found) == 1, (rule, self.rules())
        return found[0]


def read(data: bytes | Any, *, reader: DfeApiReader | None = None, name: str = "payload.json") -> Read:
    raw = data if isinstance(data, bytes) else orjson.dumps(data)
    events = list((reader or DfeApiReader()).read([SourceFile(name=name, data=raw)]))
    header = events[0]
    assert isinstance(header, SubmissionHeader)
    records = [event for event in events[1:] if isinstance(event, ChildRecord)]
    issues = [event for event in events[1:] if isinstance(event, Issue)]
    assert len(records) + len(issues) == len(events) - 1
    return Read(header, records, issues)
