"""Intake: the application service that receives a submission and runs it through the pipeline.

Composition roots (the CLI, the HTTP app) build one :class:`Intake` with the plugin registry, the
database and the conformance checks, and call :meth:`Intake.submit` for every message. Receipt is
committed before processing, so the raw payload survives any failure and can be replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.formats import FormatReader, SourceFile
from gateway.model import CanonicalMessage, Issue, SourceLocation
from gateway.pipeline import Check, ProcessResult, new_envelope, process
from gateway.plugins import Registry
from gateway.storage import MessageStore

__all__ = ["Intake", "UnknownFormat"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnknownFormat:
    """The submission's format could not be determined: said to the supplier, payload still kept."""

    issue: Issue


@dataclass
class Intake:
    """Receive -> read -> map -> check -> record, with the raw payload kept first."""

    registry: Registry
    store: MessageStore
    checks: Sequence[Check] = field(default_factory=tuple)

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
        self.store.receive(envelope, files)
        context = {"message_id": envelope.message_id, "supplier": supplier_id, "la_code": la_code}
        if isinstance(chosen, UnknownFormat):
            message = CanonicalMessage(envelope=envelope, issues=(chosen.issue,))
            result = ProcessResult(message=message, outcome="rejected")
        else:
            result = process(envelope, sources, chosen, self.checks)
        self.store.record_outcome(result.message, result.outcome)
        log.info(
            "message %s",
            result.outcome,
            extra={
                **context,
                "format": envelope.format_id,
                "records": len(result.message.records),
                "errors": result.error_count,
                "warnings": result.warning_count,
            },
        )
        return result
