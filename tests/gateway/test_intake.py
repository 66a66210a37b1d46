"""Intake: receipt before processing, format choice, outcomes, and the LA declared in the file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from gateway import ChildRecord, Issue, ReadEvent, SourceFile, SubmissionHeader
from gateway.intake import Intake
from gateway.model import CanonicalMessage, Child, LocalId
from gateway.plugins import Plugin, load_registry
from gateway.storage import Database, MessageStore, open_database


class _Reader:
    """A reader whose events are given, to drive the pipeline deterministically."""

    def __init__(self, events: list[ReadEvent], format_id: str = "test-format") -> None:
        self.events = events
        self.format_id = format_id
        self.description = "test"

    def sniff(self, name: str, head: bytes) -> bool:
        return head.startswith(b"TEST")

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        assert files
        yield from self.events


RECORD = ChildRecord(child=Child(local_ids=(LocalId(la_code="201", la_child_id="C1"),)))


def _intake(database: Database, reader: _Reader, checks: Sequence[object] = ()) -> Intake:
    registry = load_registry(entry_points_=[], extra=[Plugin(name="test", readers=(reader,))])
    return Intake(registry=registry, store=MessageStore(database), checks=checks)  # type: ignore[arg-type]


def test_accepted_message_is_stored_with_its_canonical_form(database: Database) -> None:
    reader = _Reader([SubmissionHeader(format_id="test-format", format_version="9"), RECORD])
    intake = _intake(database, reader)
    result = intake.submit([("f.txt", b"TEST data")], supplier_id="acme", la_code="201")
    assert result.outcome == "accepted"
    assert result.message.records == (RECORD,)
    assert result.message.envelope.format_version == "9"
    stored = intake.store.get(result.message.envelope.message_id)
    assert stored is not None
    assert (stored.status, stored.record_count) == ("accepted", 1)


def test_error_issue_rejects_but_keeps_the_payload(database: Database) -> None:
    issue = Issue(rule="read/x", severity="error", message="bad")
    intake = _intake(database, _Reader([issue]))
    result = intake.submit([("f.txt", b"TEST bad")], supplier_id="acme", la_code="201", message_id="m-9")
    assert result.outcome == "rejected"
    assert intake.store.get("m-9").status == "rejected"  # type: ignore[union-attr]
    assert intake.store.files("m-9")[0].data == b"TEST bad"


def test_warnings_do_not_reject(database: Database) -> None:
    warning = Issue(rule="x", severity="warning", message="w")
    result = _intake(database, _Reader([RECORD, warning])).submit([("f", b"TEST")], supplier_id="a", la_code="201")
    assert (result.outcome, result.warning_count, result.error_count) == ("accepted", 1, 0)


def test_checks_run_on_the_canonical_message(database: Database) -> None:
    seen: list[CanonicalMessage] = []

    def check(message: CanonicalMessage) -> Iterator[Issue]:
        seen.append(message)
        yield Issue(rule="rule/1", severity="error", message="failed")

    result = _intake(database, _Reader([RECORD]), checks=[check]).submit(
        [("f", b"TEST")], supplier_id="a", la_code="201"
    )
    assert seen and seen[0].records == (RECORD,)
    assert result.outcome == "rejected"
    assert [issue.rule for issue in result.message.issues] == ["rule/1"]


def test_file_declaring_another_la_is_rejected(database: Database) -> None:
    reader = _Reader([SubmissionHeader(format_id="test-format", la_code="202"), RECORD])
    result = _intake(database, reader).submit([("f", b"TEST")], supplier_id="a", la_code="201")
    assert result.outcome == "rejected"
    assert [issue.rule for issue in result.message.issues] == ["envelope/la-code-mismatch"]


def test_undetectable_and_unknown_formats_are_rejected_and_kept(database: Database) -> None:
    intake = _intake(database, _Reader([RECORD]))
    undetected = intake.submit([("f.bin", b"\x00\x01")], supplier_id="a", la_code="201")
    assert [i.rule for i in undetected.message.issues] == ["read/format-not-detected"]
    unknown = intake.submit([("f.bin", b"TEST")], supplier_id="a", la_code="201", format_id="nope")
    assert [i.rule for i in unknown.message.issues] == ["read/unknown-format"]
    assert "test-format" in unknown.message.issues[0].message
    assert intake.store.count_by_status() == {"rejected": 2}


def test_submission_needs_files(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="at least one file"):
        _intake(db, _Reader([])).submit([], supplier_id="a", la_code="201")
    db.dispose()
