"""Intake: the application service that receives a submission and runs it through the pipeline.

Composition roots (the CLI, the HTTP app, the AMQP inbound consumer) build one :class:`Intake` with the
plugin registry, the database, the conformance checks and routing, and call :meth:`Intake.submit` for
every message:

1. **receive** — the envelope and raw payload are committed before anything else, so the payload survives
   any failure and can be replayed;
2. **read, map, check** — :func:`gateway.pipeline.read_message`, then :meth:`Intake.judge` (the checks,
   given the reader's header);
3. **match** — the optional ``resolver`` (identity resolution, ``gateway.matching.IdentityResolver``) sets
   gateway child ids and holds possible duplicates for a person's review;
4. **route** — the optional ``router`` decides what goes where (nothing for held records), and the outcome
   and every outgoing event are committed in *one* transaction (the outbox); a relay publishes them
   afterwards.

A message id received again is harmless: an already processed message returns its stored outcome and sends
nothing new; one whose first attempt stopped before its outcome was recorded is processed now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from gateway.errors import PayloadRemoved
from gateway.formats import FormatReader, SourceFile
from gateway.model import CanonicalMessage, Envelope, Issue, SourceLocation
from gateway.pipeline import Check, Outcome, ProcessResult, ReadResult, check_message, new_envelope, read_message
from gateway.plugins import Registry
from gateway.storage import MessageStore
from gateway.storage.payloads import without_records

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from gateway.routing.outbox import Outbox
    from gateway.routing.router import Routing

__all__ = ["Intake", "Resolver", "RouteFunction", "UnknownFormat"]

log = logging.getLogger(__name__)


class Resolver(Protocol):
    """Identity resolution (``gateway.matching.IdentityResolver``): the result with gateway child ids set,
    the records held for review named in ``ProcessResult.held``, and any issues added."""

    def resolve(self, result: ProcessResult) -> ProcessResult:
        """Resolve and record (links, new children, the review queue)."""
        ...

    def preview(self, result: ProcessResult) -> ProcessResult:
        """The same answer, writing nothing (dry runs)."""
        ...


RouteFunction = Callable[[CanonicalMessage, Outcome, datetime, Collection[int]], "Routing"]
"""What a processed message sends where, given the positions of held records (``gateway.routing.Router``)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class UnknownFormat:
    """The submission's format could not be determined: said to the supplier, payload still kept."""

    issue: Issue


@dataclass
class Intake:
    """Receive -> read -> map -> check -> match -> route, with the raw payload kept first."""

    registry: Registry
    store: MessageStore
    checks: Sequence[Check] = field(default_factory=tuple)
    router: RouteFunction | None = None
    outbox: Outbox | None = None
    resolver: Resolver | None = None
    clock: Callable[[], datetime] = _utcnow

    def __post_init__(self) -> None:
        if (self.router is None) != (self.outbox is None):
            raise ValueError("routing needs both a router and an outbox (or neither)")

    def store_url(self) -> str:
        """The message store's database URL with any password masked."""
        return self.store.display_url()

    def choose_reader(self, files: Sequence[SourceFile], format_id: str | None) -> FormatReader | UnknownFormat:
        """The reader named by ``format_id``, or detected from the first file's name and content."""
        if format_id is not None:
            reader = self.registry.reader(format_id)
            if reader is None:
                known = ", ".join(sorted(self.registry.readers)) or "none"
                return UnknownFormat(
                    Issue(
                        rule="read/unknown-format",
                        severity="error",
                        message=f"format {format_id!r} is not supported here; supported formats: {known}",
                    )
                )
            return reader
        first = files[0]
        reader = self.registry.detect(first.name, first.head())
        if reader is None:
            return UnknownFormat(
                Issue(
                    rule="read/format-not-detected",
                    severity="error",
                    message="the file's format could not be detected; name it explicitly (--format / format=)",
                    location=SourceLocation(file=first.name),
                )
            )
        return reader

    def submit(
        self,
        files: Sequence[tuple[str, bytes]],
        *,
        supplier_id: str,
        la_code: str,
        format_id: str | None = None,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> ProcessResult:
        """Receive and process one submission (one or more files of one format)."""
        if not files:
            raise ValueError("a submission needs at least one file")
        sources = [SourceFile(name=name, data=data) for name, data in files]
        chosen = self.choose_reader(sources, format_id)
        envelope = new_envelope(
            files,
            supplier_id=supplier_id,
            la_code=la_code,
            format_id=chosen.format_id if not isinstance(chosen, UnknownFormat) else (format_id or "unknown"),
            message_id=message_id,
            correlation_id=correlation_id,
        )
        if not self.store.receive(envelope, files):
            earlier = self._earlier_result(envelope.message_id)
            if earlier is not None:
                log.info("message already processed", extra={"message_id": envelope.message_id})
                return earlier
            stored = self.store.get(envelope.message_id)
            if stored is not None:  # receipt committed, outcome not: finish the earlier attempt now
                envelope = stored.envelope
        result = self.record(self.evaluate(envelope, sources, chosen))
        log.info(
            "message %s",
            result.outcome,
            extra={
                "message_id": envelope.message_id,
                "supplier": supplier_id,
                "la_code": la_code,
                "format": envelope.format_id,
                "records": len(result.message.records),
                "errors": result.error_count,
                "warnings": result.warning_count,
            },
        )
        return result

    def evaluate(
        self,
        envelope: Envelope,
        sources: Sequence[SourceFile],
        chosen: FormatReader | UnknownFormat,
        *,
        dry_run: bool = False,
    ) -> ProcessResult:
        """Read, map, check and match; the outcome is not recorded. Matching records its links and reviews
        (identity resolution is the one step that writes here) unless ``dry_run``. Records about a child
        purged after the message was received are dropped first (:mod:`gateway.storage.payloads`)."""
        if isinstance(chosen, UnknownFormat):
            return ProcessResult(
                message=CanonicalMessage(envelope=envelope, issues=(chosen.issue,)), outcome="rejected"
            )
        return self.judge(read_message(envelope, sources, chosen), dry_run=dry_run)

    def judge(self, read: ReadResult, *, dry_run: bool = False) -> ProcessResult:
        """Check a message already read (:func:`~gateway.pipeline.read_message`, the header kept for the
        rules about it), drop records about a child purged after the message was received, and match; the
        outcome is not recorded. Every path that processes a submission comes through here (the HTTP API
        reads first, to authorise each record, then judges)."""
        result = check_message(read, self.checks)
        purged = self.store.purged_positions(result.message)
        if purged:  # a child purged since receipt is not brought back by processing (or replaying) this message
            result = replace(result, message=without_records(result.message, purged))
        if self.resolver is None:
            return result
        return self.resolver.preview(result) if dry_run else self.resolver.resolve(result)

    def plan(self, result: ProcessResult, at: datetime | None = None) -> Routing | None:
        """What ``result`` would send where (``None`` without routing)."""
        if self.router is None:
            return None
        return self.router(result.message, result.outcome, at or self.clock(), result.held)

    def record(
        self, result: ProcessResult, *, also: Callable[[Connection, ProcessResult], object] | None = None
    ) -> ProcessResult:
        """Commit the outcome and its outgoing events in one transaction; returns the result as recorded.

        ``also`` runs in that same transaction with the result as recorded (the HTTP edge appends the audit
        entry there): when it raises, neither the outcome nor any event is committed.
        """
        at = self.clock()
        routing = self.plan(result, at)
        message = result.message
        if routing is not None and routing.issues:
            message = message.model_copy(update={"issues": (*message.issues, *routing.issues)})
            result = replace(result, message=message)
        outbox = self.outbox if routing is not None else None
        recorded = result

        def write(conn: Connection) -> None:
            if outbox is not None and routing is not None:
                outbox.write(conn, message.envelope, routing, at=at)
            if also is not None:
                also(conn, recorded)

        needed = outbox is not None or also is not None
        self.store.record_outcome(message, result.outcome, also=write if needed else None)
        return result

    def reprocess(
        self,
        message_id: str,
        *,
        record: bool = True,
        also: Callable[[Connection, ProcessResult], object] | None = None,
    ) -> ProcessResult:
        """Run a stored message's raw payload through the current readers, mappings and rules again.

        With ``record`` the new outcome replaces the stored one and its events are sent (replay); without,
        nothing is written (a dry run: identity resolution previews). ``also`` runs in the recording
        transaction (the replay's audit entry). Raises ``KeyError`` for an unknown
        message id and :class:`~gateway.errors.PayloadRemoved` when retention or a purge removed its payload.
        """
        stored = self.store.get(message_id)
        if stored is None:
            raise KeyError(message_id)
        if stored.payload_removed_at is not None:
            raise PayloadRemoved(message_id, stored.payload_removed_reason, stored.payload_removed_at)
        sources = self.store.files(message_id)
        known = stored.envelope.format_id if stored.envelope.format_id in self.registry.readers else None
        chosen = self.choose_reader(sources, known)
        envelope = stored.envelope
        if not isinstance(chosen, UnknownFormat) and chosen.format_id != envelope.format_id:
            envelope = envelope.model_copy(update={"format_id": chosen.format_id})
        result = self.evaluate(envelope, sources, chosen, dry_run=not record)
        return self.record(result, also=also) if record else result

    def _earlier_result(self, message_id: str) -> ProcessResult | None:
        status = self.store.status(message_id)
        if status not in ("accepted", "rejected"):
            return None
        message = self.store.canonical(message_id)
        if message is None:
            return None
        return ProcessResult(
            message=message, outcome="accepted" if status == "accepted" else "rejected", duplicate=True
        )
