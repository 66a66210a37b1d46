"""Shared helpers for the ics-xml tests: reading documents and splitting the events."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.ics_xml import IcsXmlReader
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader

__all__ = ["Outcome", "read_document", "without_lineage"]


@dataclass
class Outcome:
    headers: list[SubmissionHeader] = field(default_factory=list)
    records: list[ChildRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    def rules(self) -> set[str]:
        return {issue.rule for issue in self.issues}


def read_document(*documents: bytes, names: tuple[str, ...] = ()) -> Outcome:
    files = [
        SourceFile(name=names[i] if i < len(names) else f"message-{i + 1}.xml", data=doc)
        for i, doc in enumerate(documents)
    ]
    outcome = Outcome()
    for event in IcsXmlReader().read(files):
        if isinstance(event, SubmissionHeader):
            outcome.headers.append(event)
        elif isinstance(event, ChildRecord):
            outcome.records.append(event)
        else:
            assert isinstance(event, Issue)
            outcome.issues.append(event)
    return outcome


def without_lineage(record: ChildRecord) -> ChildRecord:
    return record.model_copy(update={"lineage": ()})
