"""Running a profile: over supplier files (``ecm-gateway check``) or over a canonical message (the pipeline).

:func:`check_submission` reads one submission with its format reader and checks every record as it
streams, so memory stays flat however many children the file holds; the reader's own issues (``read/``,
``xsd/``, ``map/``) are kept beside the rules' issues. :func:`build_check` turns a profile into the
pipeline's :class:`~gateway.pipeline.HeaderAwareCheck`.

Either takes one profile, or a :class:`~conformance.selection.ProfileSelection` that chooses the profile per
submission from its format and header (a CIN census file gets the pack of its census year); the choice and
its reason are recorded (``SubmissionCheck.profile_id`` / ``profile_reason``; the pipeline logs them, and
``ecm-gateway submit`` / ``demo`` print them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from conformance.engine import ActiveRule, Session
from conformance.profile import ResolvedProfile
from conformance.selection import ProfileChoice, ProfileSelection
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
from gateway.pipeline import HeaderAwareCheck

__all__ = ["SubmissionCheck", "build_check", "check_submission", "choose"]

logger = logging.getLogger(__name__)


def choose(
    profile: ResolvedProfile | ProfileSelection, format_id: str, header: SubmissionHeader | None
) -> ProfileChoice:
    """The profile to run: the one given, or the selection's choice for this format and header."""
    if isinstance(profile, ProfileSelection):
        return profile.choose(format_id, header)
    return ProfileChoice(profile, f"profile {profile.profile.id} named for this check")


@dataclass
class SubmissionCheck:
    """The outcome of checking one submission (one file, or several files read together)."""

    files: tuple[str, ...]
    format_id: str
    rules: tuple[ActiveRule, ...]
    format_version: str | None = None
    profile: ResolvedProfile | None = None
    """The profile the submission was checked against (chosen per format when none was named)."""
    profile_id: str | None = None
    """Its id."""
    profile_reason: str | None = None
    """Why that profile applied."""
    records: int = 0
    issues: list[Issue] = field(default_factory=list)

    def count(self, severity: str) -> int:
        """How many issues of ``severity`` were found."""
        return sum(1 for issue in self.issues if issue.severity == severity)


def check_submission(
    files: Sequence[SourceFile],
    reader: FormatReader,
    profile: ResolvedProfile | ProfileSelection,
    *,
    today: date,
    directory: DirectoryLookup | None = None,
    on_record: Callable[[int], None] | None = None,
) -> SubmissionCheck:
    """Read ``files`` as one submission and check every record against ``profile`` (or the profile the
    selection chooses once the reader's header is known). Never raises on bad data."""
    names = tuple(source.name for source in files)
    result = SubmissionCheck(files=names, format_id=reader.format_id, rules=())
    session: Session | None = None
    default_file = names[0] if len(names) == 1 else None

    def start(header: SubmissionHeader | None) -> Session:
        chosen = choose(profile, reader.format_id, header)
        result.rules = chosen.profile.active
        result.profile = chosen.profile
        result.profile_id, result.profile_reason = chosen.id, chosen.reason
        return Session(
            chosen.profile.active,
            _context(chosen.profile, today, reader.format_id, header, None),
            directory,
            default_file=default_file,
            deferred=True,  # the rules' issues are built once, at the end
        )

    for event in reader.read(files):
        if isinstance(event, ChildRecord):
            if session is None:
                session = start(None)
            result.issues.extend(session.record(event))
            result.records += 1
            if on_record is not None:
                on_record(result.records)
        elif isinstance(event, Issue):
            if session is None:
                result.issues.append(event)
            else:
                session.hold(event)  # kept in order among the rules' issues
        elif session is None:
            result.format_version = event.format_version
            session = start(event)
    if session is None:
        session = start(None)
    result.issues.extend(session.finish())
    return result


def _context(
    profile: ResolvedProfile,
    today: date,
    format_id: str,
    header: SubmissionHeader | None,
    envelope: CanonicalMessage | None,
) -> CheckContext:
    """What the rules may know: the header's declarations when the reader's header is at hand, else the
    envelope's (a stored message: rules about the header itself then report "not evaluated")."""
    if header is not None:
        version = header.format_version
        la_code = header.la_code
        if envelope is not None:
            version = version or envelope.envelope.format_version
            la_code = la_code or envelope.envelope.la_code
        return CheckContext(
            today=today,
            format_id=format_id,
            format_version=version,
            reference_date=header.reference_date,
            header_read=True,
            la_code=la_code,
            parameters=profile.parameters,
        )
    return CheckContext(
        today=today,
        format_id=format_id,
        format_version=envelope.envelope.format_version if envelope is not None else None,
        header_read=False,
        la_code=envelope.envelope.la_code if envelope is not None else None,
        parameters=profile.parameters,
    )


def build_check(
    profile: ResolvedProfile | ProfileSelection,
    *,
    directory: DirectoryLookup | None = None,
    directory_for: Callable[[CanonicalMessage], DirectoryLookup] | None = None,
    today: Callable[[], date] = date.today,
) -> HeaderAwareCheck:
    """The pipeline step that runs ``profile`` (or the selection's choice per message) over a canonical message.

    Directory rules ask ``directory``, or the lookup ``directory_for`` gives for each message (identity
    resolution answers per message, since a record's identity in the index depends on its sender).

    :func:`gateway.pipeline.check_message` passes the reader's header, so rules about what the header declares
    (the CIN census reference date, rule 100) are evaluated and the census year chooses the pack. Called
    without a header (a stored message), those rules report "not evaluated" and the census year comes from
    the envelope's format version. The profile chosen and why are logged (no personal data).
    """

    def run(message: CanonicalMessage, header: SubmissionHeader | None) -> Iterable[Issue]:
        envelope = message.envelope
        if header is None and envelope.format_version:
            known = SubmissionHeader(format_id=envelope.format_id, format_version=envelope.format_version)
            chosen = choose(profile, envelope.format_id, known)
        else:
            chosen = choose(profile, envelope.format_id, header)
        context = _context(chosen.profile, today(), envelope.format_id, header, message)
        lookup = directory_for(message) if directory_for is not None else directory
        logger.info(
            "conformance profile chosen",
            extra={"message_id": envelope.message_id, "profile": chosen.id, "reason": chosen.reason},
        )
        return list(Session(chosen.profile.active, context, lookup).check_all(message.records))

    return HeaderAwareCheck(run)
