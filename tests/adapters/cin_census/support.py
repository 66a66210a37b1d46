"""Helpers shared by the CIN census adapter tests."""

from __future__ import annotations

from pathlib import Path

from adapters.cin_census.reader import CinCensusReader
from gateway import ChildRecord, Issue, ReadEvent, SourceFile, SubmissionHeader

__all__ = ["FIXTURES", "Events", "read_bytes", "read_path"]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cin-census"


class Events:
    """A reader's events, split by kind."""

    def __init__(self, events: list[ReadEvent]) -> None:
        self.all = events
        self.headers = [e for e in events if isinstance(e, SubmissionHeader)]
        self.records = [e for e in events if isinstance(e, ChildRecord)]
        self.issues = [e for e in events if isinstance(e, Issue)]

    @property
    def header(self) -> SubmissionHeader:
        assert len(self.headers) == 1
        return self.headers[0]

    def located(self) -> list[tuple[str, str, int | None, str | None]]:
        """(rule, severity, line, path) of every issue, in order."""
        return [
            (i.rule, i.severity, i.location.line if i.location else None, i.location.path if i.location else None)
            for i in self.issues
        ]

    def rules(self) -> list[str]:
        return [issue.rule for issue in self.issues]


def read_bytes(data: bytes, name: str = "census.xml", reader: CinCensusReader | None = None) -> Events:
    return Events(list((reader or CinCensusReader()).read([SourceFile(name=name, data=data)])))


def read_path(path: Path, reader: CinCensusReader | None = None) -> Events:
    return Events(list((reader or CinCensusReader()).read([SourceFile.from_path(path)])))
