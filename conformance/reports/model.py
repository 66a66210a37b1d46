"""What every report is made from: the profile, the submissions checked, and the files that could not be read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from conformance.profile import ResolvedProfile
from conformance.runner import SubmissionCheck
from gateway import Issue

__all__ = ["FORMATS", "CheckReport", "issue_file", "render"]


@dataclass
class CheckReport:
    """The outcome of ``ecm-gateway check``."""

    profile: ResolvedProfile
    """The profile named for the check, else the first submission's (each submission names its own profile
    and why it applied: without ``--profile`` it is chosen per format)."""
    checked_at: datetime
    submissions: list[SubmissionCheck] = field(default_factory=list)

    def issues(self) -> Iterator[Issue]:
        """Every issue of every submission, in order."""
        for submission in self.submissions:
            yield from submission.issues

    def count(self, severity: str) -> int:
        """How many issues of ``severity`` were found."""
        return sum(1 for issue in self.issues() if issue.severity == severity)

    @property
    def records(self) -> int:
        return sum(submission.records for submission in self.submissions)

    @property
    def failed(self) -> bool:
        """True when any issue is an error (the exit status is then 1)."""
        return any(issue.severity == "error" for issue in self.issues())


def issue_file(issue: Issue, submission: SubmissionCheck) -> str:
    """The file an issue belongs to: its location's, else the submission's only file, else ``(submission)``."""
    if issue.location is not None and issue.location.file:
        return issue.location.file
    return submission.files[0] if len(submission.files) == 1 else "(submission)"


def _renderers() -> dict[str, Callable[[CheckReport], bytes]]:
    from conformance.reports import fhir, html, json, junit, text  # noqa: PLC0415 - avoids an import cycle

    return {
        "text": text.render_text,
        "json": json.render_json,
        "junit": junit.render_junit,
        "html": html.render_html,
        "fhir": fhir.render_fhir,
    }


FORMATS: Final = ("text", "json", "junit", "html", "fhir")


def render(report: CheckReport, format_name: str) -> bytes:
    """The report in ``format_name`` (one of :data:`FORMATS`)."""
    return _renderers()[format_name](report)
