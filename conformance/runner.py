"""Running a profile: over supplier files (``ecm-gateway check``) or over a canonical message (the pipeline).

:func:`check_submission` reads one submission with its format reader and checks every record as it
streams, so memory stays flat however many children the file holds; the reader's own issues (``read/``,
``xsd/``, ``map/``) are kept beside the rules' issues. :func:`build_check` turns a profile into the
pipeline's :data:`~gateway.pipeline.Check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from conformance.engine import ActiveRule, Session
from conformance.profile import ResolvedProfile
from gateway import (
    CanonicalMessage,
    CheckContext,
    ChildRecord,
    DirectoryLookup,
    FormatReader,
    Issue,
    SourceFile,
    SubmissionHeader,
)
from gateway.pipeline import Check

__all__ = ["SubmissionCheck", "build_check", "check_submission"]


@dataclass
class SubmissionCheck:
    """The outcome of checking one submission (one file, or several files read together)."""

    files: tuple[str, ...]
    format_id: str
    rules: tuple[ActiveRule, ...]
    format_version: str | None = None
    records: int = 0
    issues: list[Issue] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """How many issues of ``severity`` were found."""
        return sum(1 for issue in self.issues if issue.severity == severity)


def check_submission(
    files: Sequence[SourceFile],
    reader: FormatReader,
    profile: ResolvedProfile,
    *,
    today: date,
    directory: DirectoryLookup | None = None,
    on_record: Callable[[int], None] | None = None,
) -> SubmissionCheck:
    """Read ``files`` as one submission and check every record against ``profile``. Never raises on bad data."""
    names = tuple(source.name for source in files)
    result = SubmissionCheck(files=names, format_id=reader.format_id, rules=profile.active)
    session: Session | None = None
    default_file = names[0] if len(names) == 1 else None

    def start(header: SubmissionHeader | None) -> Session:
        context = CheckContext(
            today=today,
            format_id=reader.format_id,
            format_version=header.format_version if header else None,
            reference_date=header.reference_date if header else None,
            header_read=header is not None,
            la_code=header.la_code if header else None,
            parameters=profile.parameters,
        )
        return Session(profile.active, context, directory, default_file=default_file)

    for event in reader.read(files):
        if isinstance(event, ChildRecord):
            if session is None:
                session = start(None)
            result.issues.extend(session.record(event))
            result.records += 1
            if on_record is not None:
                on_record(result.records)
        elif isinstance(event, Issue):
            result.issues.append(event)
        elif session is None:
            result.format_version = event.format_version
            session = start(event)
    if session is None:
        session = start(None)
    result.issues.extend(session.finish())
    return result


def build_check(
    profile: ResolvedProfile,
    *,
    directory: DirectoryLookup | None = None,
    directory_for: Callable[[CanonicalMessage], DirectoryLookup] | None = None,
    today: Callable[[], date] = date.today,
) -> Check:
    """The pipeline step that runs ``profile`` over a canonical message.

    Directory rules ask ``directory``, or the lookup ``directory_for`` gives for each message (identity
    resolution answers per message, since a record's identity in the index depends on its sender).

    The message keeps its envelope but not the reader's header, so rules about what the header declares
    (the CIN census reference date, rule 100) report "not evaluated"; the census year still comes from the
    envelope's format version.
    """

    def check(message: CanonicalMessage) -> Iterable[Issue]:
        envelope = message.envelope
        context = CheckContext(
            today=today(),
            format_id=envelope.format_id,
            format_version=envelope.format_version,
            header_read=False,
            la_code=envelope.la_code,
            parameters=profile.parameters,
        )
        lookup = directory_for(message) if directory_for is not None else directory
        return list(Session(profile.active, context, lookup).check_all(message.records))

    return check
