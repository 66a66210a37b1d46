"""Submissions over HTTP: authorise every record, run the intake, audit in the outcome's transaction.

Synchronous: the files are read and mapped *before* anything is stored, so a batch holding one record of a
council the client may not submit for is refused whole (:class:`SubmissionRefused`) and nothing of it is
kept. Then the payload is received (committed first, as the intake always does), checked, matched and
routed; the outcome, its outgoing events, the status history row and the audit entry are committed in one
transaction — if the audit entry cannot be written, none of them is, and the message stays ``received``
(a retry with the same message id finishes it).

Asynchronous (``Prefer: respond-async`` or a large body): the payload is received at once and the answer is
202; a background thread does the rest. A foreign record found then rejects the message (issue
``access/la-not-permitted``, located, nothing routed, the canonical records not stored) and the submission
is ``refused``. A submission left ``queued`` or ``processing`` by a process that stopped is taken up again
by :mod:`gateway.http.resumption` through :meth:`SubmissionService.process_received`.

Exactly once: the outcome is recorded only while the submission is still ``queued`` or ``processing`` (the
same transaction moves it on, and the database decides between two writers), so two workers finishing the
same message record, route and audit it once; the one that comes second rolls back and is *superseded*.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError

from gateway.audit import AuditEntry, AuditLog
from gateway.errors import GatewayError, StorageError
from gateway.formats import FormatReader, SourceFile
from gateway.http.background import BackgroundPool
from gateway.http.reading import ForeignRecord, ReadTimeout, TooManyRecords, bounded, foreign_records
from gateway.http.states import Superseded, open_submission, settle, start_processing
from gateway.http.tables import submissions
from gateway.intake import Intake, UnknownFormat
from gateway.model import CanonicalMessage, Envelope, Issue, SourceLocation
from gateway.pipeline import ProcessResult, ReadResult, new_envelope, read_message
from gateway.security import Client, Forbidden, Principal
from gateway.storage import Database

__all__ = [
    "MessageIdTaken",
    "Received",
    "SubmissionRefused",
    "SubmissionService",
    "Submitted",
    "Submitter",
    "UnreadableFormat",
]

log = logging.getLogger(__name__)


class Submitter(Protocol):
    """On whose authority a submission is processed: the request's :class:`Principal`, or the client's
    current registry entry when a stopped process's submission is resumed (``actor`` ``system:resume``)."""

    @property
    def client(self) -> Client: ...

    @property
    def client_id(self) -> str: ...

    @property
    def la_codes(self) -> frozenset[str]: ...

    @property
    def actor(self) -> str | None: ...


class SubmissionRefused(Forbidden):
    """A record names a council the client may not submit for: the whole submission is refused."""

    def __init__(self, records: Sequence[ForeignRecord]) -> None:
        super().__init__(
            f"{len(records)} record(s) belong to a council this client may not submit for; nothing was accepted"
        )
        self.records = tuple(records)


class UnreadableFormat(GatewayError):
    """The format is unknown or could not be detected (nothing stored)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


class MessageIdTaken(GatewayError):
    """The message id was used by another client or for another payload."""


@dataclass(frozen=True)
class Submitted:
    """A processed submission as the supplier sees it (no content)."""

    result: ProcessResult
    routed: tuple[tuple[str, str, bool], ...]
    """``(kind, destination, sent)`` of each outgoing message."""


@dataclass(frozen=True)
class Received:
    """An asynchronous submission: received and queued."""

    message_id: str
    duplicate: bool


class SubmissionService:
    """The HTTP edge of the intake for authenticated clients."""

    def __init__(
        self,
        intake: Intake,
        database: Database,
        audit: AuditLog,
        *,
        parse_timeout: float,
        max_records: int,
        executor: Executor | None = None,
    ) -> None:
        self.intake = intake
        self.audit = audit
        self.parse_timeout = parse_timeout
        self.max_records = max_records
        self.background = BackgroundPool(executor) if executor is not None else None
        """The pool asynchronous submissions (and resumptions) run in; ``None``: synchronous only."""
        self._engine = database.engine

    # --- the public operations -------------------------------------------------------------------------

    def submit(
        self,
        principal: Principal,
        files: Sequence[tuple[str, bytes]],
        *,
        la_code: str | None,
        format_id: str | None = None,
        message_id: str | None = None,
        correlation_id: str | None = None,
        asynchronous: bool = False,
    ) -> Submitted | Received:
        """Authorise, receive and process one submission (see the module docstring)."""
        principal.require("submit")
        la = self._la_code(principal, la_code)
        sources = [SourceFile(name=name, data=data) for name, data in files]
        chosen = self.intake.choose_reader(sources, format_id)
        if isinstance(chosen, UnknownFormat):
            raise UnreadableFormat(chosen.issue)
        envelope = new_envelope(
            files,
            supplier_id=principal.client.supplier_id,
            la_code=la,
            format_id=chosen.format_id,
            message_id=message_id,
            correlation_id=correlation_id,
        )
        self._check_owner(principal, envelope.message_id)
        if asynchronous:
            return self._submit_later(principal, envelope, files, sources, chosen)
        try:
            mapped = self._read(envelope, sources, chosen)
            found = foreign_records(mapped.message, principal.la_codes)
        except (ReadTimeout, TooManyRecords) as exc:
            self._audit_alone(principal, envelope, "refused", type(exc).__name__)
            raise
        if found:
            self._audit_alone(principal, envelope, "refused", "foreign-la")
            raise SubmissionRefused(found)
        if not self._receive(envelope, files):
            stored = self.intake.store.get(envelope.message_id)
            if stored is not None and stored.envelope.supplier_id != envelope.supplier_id:
                raise MessageIdTaken("that message id is already used; use a new message id")  # lost a race
            earlier = self._earlier(envelope.message_id)
            if earlier is not None:
                return Submitted(earlier, self._routed(envelope.message_id))
            if stored is not None:
                envelope = stored.envelope
                mapped = replace(mapped, message=mapped.message.model_copy(update={"envelope": envelope}))
        self._open(principal, envelope.message_id, asynchronous=False, state="processing")
        try:
            result = self._finish(principal, mapped)
        except Superseded:  # the same message id finished concurrently (a resend, or a resumption)
            earlier = self._earlier(envelope.message_id)
            if earlier is None:
                raise
            return Submitted(earlier, self._routed(envelope.message_id))
        except Exception:
            self.mark_failed(envelope.message_id)
            raise
        return Submitted(result, self._routed(envelope.message_id))

    # --- steps -----------------------------------------------------------------------------------------

    @staticmethod
    def _la_code(principal: Principal, la_code: str | None) -> str:
        if la_code is None:
            if len(principal.la_codes) != 1:
                raise Forbidden("this client submits for several councils: name one with the la_code parameter")
            return next(iter(principal.la_codes))
        if la_code not in principal.la_codes:
            raise Forbidden("this client may not submit for that council")
        return la_code

    def _check_owner(self, principal: Principal, message_id: str) -> None:
        with self._engine.connect() as conn:
            owner = conn.execute(
                select(submissions.c.client_id).where(submissions.c.message_id == message_id)
            ).scalar_one_or_none()
        if owner is not None and owner != principal.client_id:
            raise MessageIdTaken("that message id is already used; use a new message id")
        if owner is None and self.intake.store.status(message_id) is not None:
            raise MessageIdTaken("that message id is already used; use a new message id")

    def _receive(self, envelope: Envelope, files: Sequence[tuple[str, bytes]]) -> bool:
        try:
            return self.intake.store.receive(envelope, files)
        except StorageError as exc:
            if "different payload" in str(exc):
                raise MessageIdTaken("that message id was used for a different payload; use a new message id") from exc
            raise

    def _read(self, envelope: Envelope, sources: Sequence[SourceFile], chosen: FormatReader) -> ReadResult:
        reader = bounded(chosen, timeout=self.parse_timeout, max_records=self.max_records)
        return read_message(envelope, sources, reader)

    def _finish(self, principal: Submitter, mapped: ReadResult, *, asynchronous: bool = False) -> ProcessResult:
        """Judge as the intake does (:meth:`Intake.judge`: the checks with the reader's header, records about a
        child purged since receipt dropped, matching), then record outcome + events + history + audit in one
        transaction."""
        result = self.intake.judge(mapped)

        def also(conn: Connection, recorded: ProcessResult) -> None:
            settle(conn, recorded.message.envelope.message_id, recorded.outcome)
            self._append(conn, principal, recorded.message, recorded.outcome, asynchronous=asynchronous)

        return self.intake.record(result, also=also)

    def _earlier(self, message_id: str) -> ProcessResult | None:
        status = self.intake.store.status(message_id)
        if status not in ("accepted", "rejected"):
            return None
        message = self.intake.store.canonical(message_id)
        if message is None:
            return None
        return ProcessResult(
            message=message, outcome="accepted" if status == "accepted" else "rejected", duplicate=True
        )

    def _routed(self, message_id: str) -> tuple[tuple[str, str, bool], ...]:
        if self.intake.outbox is None:
            return ()
        return tuple((kind, key, sent) for kind, _exchange, key, sent in self.intake.outbox.for_message(message_id))

    # --- asynchronous ----------------------------------------------------------------------------------

    def _submit_later(
        self,
        principal: Principal,
        envelope: Envelope,
        files: Sequence[tuple[str, bytes]],
        sources: Sequence[SourceFile],
        chosen: FormatReader,
    ) -> Received:
        if self.background is None:
            raise StorageError("asynchronous submissions are not available in this process")
        if not self._receive(envelope, files):
            return Received(envelope.message_id, duplicate=True)
        self._open(principal, envelope.message_id, asynchronous=True, state="queued")
        self.background.run(envelope.message_id, self.process_received, principal, envelope, sources, chosen)
        return Received(envelope.message_id, duplicate=False)

    def process_received(
        self,
        submitter: Submitter,
        envelope: Envelope,
        sources: Sequence[SourceFile],
        chosen: FormatReader,
        *,
        claimed: bool = False,
    ) -> str:
        """Read, authorise, check, match and record a received submission; the state it ends in
        (``accepted``, ``rejected``, ``refused``, ``failed``, or ``superseded`` when another worker settled
        it first). ``claimed``: the caller already moved it to ``processing`` (a resumption's claim);
        otherwise it must still be ``queued``. Never raises: a failure is recorded as ``failed``."""
        message_id = envelope.message_id
        try:
            if not claimed and not start_processing(self._engine, message_id):
                return "superseded"
            try:
                mapped = self._read(envelope, sources, chosen)
            except (ReadTimeout, TooManyRecords) as exc:
                return self.reject(submitter, envelope, [Issue(rule="read/limit", severity="error", message=str(exc))])
            found = foreign_records(mapped.message, submitter.la_codes)
            if found:
                return self.reject(submitter, envelope, [_foreign_issue(item) for item in found], state="refused")
            return self._finish(submitter, mapped, asynchronous=True).outcome
        except Superseded:
            log.info("submission settled by another worker", extra={"message_id": message_id})
            return "superseded"
        except Exception as exc:
            # Recorded, never raised into the pool; logged by type only (the text may carry submitted values).
            log.error("asynchronous submission failed", extra={"message_id": message_id, "error": type(exc).__name__})
            return self.mark_failed(message_id)

    def mark_failed(self, message_id: str) -> str:
        """Record that processing stopped (the payload stays received: a retry or replay finishes it)."""
        try:
            with self._engine.begin() as conn:
                settle(conn, message_id, "failed")
        except Superseded:
            return "superseded"  # settled meanwhile by another worker: nothing failed
        except SQLAlchemyError:
            log.error("could not record the failure", extra={"message_id": message_id})
        return "failed"

    def reject(self, submitter: Submitter, envelope: Envelope, issues: list[Issue], state: str = "rejected") -> str:
        """Record a rejection without its records (nothing routed), with history and audit in one transaction.

        Returns ``state`` (``rejected`` or ``refused``); raises ``Superseded`` (a :class:`GatewayError`)
        when another worker settled the submission first."""
        message = CanonicalMessage(envelope=envelope, issues=tuple(issues))

        def also(conn: Connection) -> None:
            settle(conn, envelope.message_id, state)
            self._append(conn, submitter, message, state, asynchronous=True)

        self.intake.store.record_outcome(message, "rejected", also=also)
        return state

    # --- bookkeeping -----------------------------------------------------------------------------------

    def _open(self, principal: Principal, message_id: str, *, asynchronous: bool, state: str) -> None:
        open_submission(self._engine, principal.client_id, message_id, asynchronous=asynchronous, state=state)

    def _append(
        self, conn: Connection, principal: Submitter, message: CanonicalMessage, outcome: str, *, asynchronous: bool
    ) -> None:
        self.audit.append(conn, _entry(principal, message.envelope, outcome, message, asynchronous=asynchronous))

    def _audit_alone(self, principal: Principal, envelope: Envelope, outcome: str, why: str) -> None:
        """Audit a refused submission (nothing else was written)."""
        try:
            with self._engine.begin() as conn:
                self.audit.append(conn, _entry(principal, envelope, outcome, None, reason=why))
        except (StorageError, SQLAlchemyError):
            log.error("could not audit a refused submission", extra={"message_id": envelope.message_id})


def _foreign_issue(found: ForeignRecord) -> Issue:
    return Issue(
        rule="access/la-not-permitted",
        severity="error",
        message=f"record {found.record} belongs to a council this client may not submit for",
        location=found.location or SourceLocation(),
        canonical_path=f"/records/{found.record - 1}/child/local_ids",
    )


def _entry(
    principal: Submitter,
    envelope: Envelope,
    outcome: str,
    message: CanonicalMessage | None,
    *,
    asynchronous: bool = False,
    reason: str = "submission",
) -> AuditEntry:
    query: dict[str, Any] = {
        "client": principal.client_id,
        "format": envelope.format_id,
        "la_code": envelope.la_code,
        "asynchronous": asynchronous,
    }
    if message is not None:
        query["records"] = len(message.records)
        query["errors"] = sum(1 for issue in message.issues if issue.severity == "error")
    return AuditEntry(
        actor_user=principal.actor or f"client:{principal.client_id}",
        actor_org=principal.client.supplier_id[:32],
        action="message.submit",
        reason=reason,
        outcome=outcome,
        subject=envelope.message_id,
        query=query,
        result_ids=(envelope.message_id,),
    )
