"""The processing pipeline as plain functions: receive -> read -> map -> check -> (match, route, store).

Only the edges do I/O (the message store on receipt, the transport on routing). The middle is pure:
:func:`process` takes an envelope, the raw files and a reader, and returns the canonical message with
every issue found; it never raises on bad data. It is :func:`read_message` then :func:`check_message`, for a
caller that must look at the records between the two (the HTTP API authorises each record's council).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from gateway.formats import FormatReader, SourceFile, SubmissionAwareReader, SubmissionHeader
from gateway.model import CanonicalMessage, ChildRecord, Envelope, Issue, SourceLocation

__all__ = [
    "Check",
    "HeaderAwareCheck",
    "Outcome",
    "ProcessResult",
    "ReadResult",
    "check_message",
    "la_code_mismatch",
    "new_envelope",
    "outcome_of",
    "payload_digest",
    "process",
    "read_message",
]

Outcome = Literal["accepted", "rejected"]
Check = Callable[[CanonicalMessage], Iterable[Issue]]
"""A conformance step: reads a canonical message and yields issues (``conformance`` provides these)."""


@dataclass(frozen=True)
class HeaderAwareCheck:
    """A conformance step that is also told what the reader's :class:`SubmissionHeader` declared.

    The canonical message keeps the envelope, not the header, yet some rules judge the header itself (the
    CIN census ``ReferenceDate``, DfE rule 100) and the profile may depend on it (the census year).
    :func:`check_message` calls ``run(message, header)`` with the header the reader yielded (``None`` when it
    yielded none); called as a plain :data:`Check` (a stored message, no header) it runs without one.
    """

    run: Callable[[CanonicalMessage, SubmissionHeader | None], Iterable[Issue]]

    def __call__(self, message: CanonicalMessage) -> Iterable[Issue]:
        return self.run(message, None)


def payload_digest(files: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 identifying a payload: of the bytes for one file; for several, of their names and digests."""
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    manifest = "".join(f"{name}\t{hashlib.sha256(data).hexdigest()}\n" for name, data in files)
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def new_envelope(
    files: Sequence[tuple[str, bytes]],
    *,
    supplier_id: str,
    la_code: str,
    format_id: str,
    message_id: str | None = None,
    correlation_id: str | None = None,
    format_version: str | None = None,
    received_at: datetime | None = None,
) -> Envelope:
    """The envelope for a message received now (ids and time assigned here, at the edge)."""
    return Envelope(
        message_id=message_id or str(uuid.uuid4()),
        correlation_id=correlation_id,
        supplier_id=supplier_id,
        la_code=la_code,
        format_id=format_id,
        format_version=format_version,
        received_at=received_at or datetime.now(UTC),
        payload_sha256=payload_digest(files),
    )


@dataclass(frozen=True)
class ProcessResult:
    """The canonical message and its outcome."""

    message: CanonicalMessage
    outcome: Outcome
    duplicate: bool = False
    """True when this message id had already been processed: the stored outcome, nothing sent again."""
    held: tuple[int, ...] = ()
    """Positions of records held for review as possible duplicates (identity resolution): routing sends
    nothing for them until a person has decided who the child is."""

    @property
    def error_count(self) -> int:
        return sum(1 for issue in self.message.issues if issue.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for issue in self.message.issues if issue.severity == "warning")


def outcome_of(issues: Iterable[Issue]) -> Outcome:
    """Rejected when any issue is an error; accepted otherwise (warnings travel with the message)."""
    return "rejected" if any(issue.severity == "error" for issue in issues) else "accepted"


@dataclass(frozen=True)
class ReadResult:
    """A message as read and mapped (its issues the reader's), with the header the reader yielded (``None``
    when it yielded none): what :func:`check_message` needs to judge it."""

    message: CanonicalMessage
    header: SubmissionHeader | None = None


def read_message(envelope: Envelope, files: Sequence[SourceFile], reader: FormatReader) -> ReadResult:
    """Read and map one message, keeping the reader's header. Pure apart from reading ``files``; never raises
    on bad data."""
    records: list[ChildRecord] = []
    issues: list[Issue] = []
    header: SubmissionHeader | None = None
    if isinstance(reader, SubmissionAwareReader):
        declared = SubmissionHeader(
            format_id=envelope.format_id, format_version=envelope.format_version, la_code=envelope.la_code
        )
        reader = reader.for_submission(declared)
    for event in reader.read(files):
        if isinstance(event, ChildRecord):
            records.append(event)
        elif isinstance(event, Issue):
            issues.append(event)
        else:
            header = event
    if header is not None:
        envelope = _reconcile(envelope, header, issues)
    return ReadResult(CanonicalMessage(envelope=envelope, records=tuple(records), issues=tuple(issues)), header)


def check_message(read: ReadResult, checks: Sequence[Check] = ()) -> ProcessResult:
    """Run ``checks`` over a message read by :func:`read_message`; its outcome.

    Checks that are :class:`HeaderAwareCheck` are given the reader's header too (every path that reads a
    submission comes through here: the CLI, the HTTP API, the AMQP consumer, replay).
    """
    message = read.message
    issues = list(message.issues)
    for check in checks:
        issues.extend(check.run(message, read.header) if isinstance(check, HeaderAwareCheck) else check(message))
    message = message.model_copy(update={"issues": tuple(issues)})
    return ProcessResult(message=message, outcome=outcome_of(issues))


def process(
    envelope: Envelope,
    files: Sequence[SourceFile],
    reader: FormatReader,
    checks: Sequence[Check] = (),
) -> ProcessResult:
    """Read, map and check one message (:func:`read_message`, then :func:`check_message`)."""
    return check_message(read_message(envelope, files, reader), checks)


def _reconcile(envelope: Envelope, header: SubmissionHeader, issues: list[Issue]) -> Envelope:
    """Take the format version from the file; a file declaring another LA than the envelope is an error."""
    update: dict[str, object] = {}
    if header.format_version and not envelope.format_version:
        update["format_version"] = header.format_version
    mismatch = la_code_mismatch(header, envelope.la_code, "was submitted for")
    if mismatch is not None:
        issues.append(mismatch)
    return envelope.model_copy(update=update) if update else envelope


def la_code_mismatch(header: SubmissionHeader, la_code: str | None, given: str) -> Issue | None:
    """The error when a file declares another LA than the one it ``given`` (``was submitted for``, ``is
    checked for``): ``None`` when it declares none or the same."""
    if not header.la_code or header.la_code == la_code:
        return None
    return Issue(
        rule="envelope/la-code-mismatch",
        severity="error",
        message=f"the file declares LA {header.la_code} but {given} LA {la_code}; submit it under the LA it belongs to",
        location=SourceLocation(file=None, path="header"),
    )
