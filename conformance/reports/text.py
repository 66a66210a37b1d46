"""The plain-text report (the terminal's default): a summary line per submission and one line per issue."""

from __future__ import annotations

from conformance.reports.model import CheckReport, issue_file

__all__ = ["render_text"]


def render_text(report: CheckReport) -> bytes:
    """One line per issue: severity, rule, file and location, child, message."""
    chosen = {submission.profile_id for submission in report.submissions if submission.profile_id}
    if len(chosen) > 1:
        lines = ["profiles: chosen per file by its format (below)"]
    else:
        lines = [f"profile {report.profile.profile.id}: {report.profile.profile.title}"]
    for submission in report.submissions:
        read_as = " ".join(part for part in (submission.format_id, submission.format_version) if part)
        lines.append(
            f"{', '.join(submission.files)} ({read_as}): "
            f"{submission.records} record(s), {submission.count('error')} error(s), "
            f"{submission.count('warning')} warning(s), {submission.count('information')} information"
        )
        if submission.profile_id:
            lines.append(f"  profile {submission.profile_id}: {submission.profile_reason}")
        for issue in submission.issues:
            location = issue.location
            where = issue_file(issue, submission)
            if location is not None:
                where += f":{location.line}" if location.line else ""
                where += f" row {location.row}" if location.row else ""
                where += f" column {location.column}" if location.column else ""
                where += f" {location.path}" if location.path else ""
            child = f" child {issue.child}" if issue.child else ""
            lines.append(f"  {issue.severity:<11} {issue.rule}  [{where}]{child}  {issue.message}")
    verdict = "FAILED" if report.failed else "passed"
    lines.append(
        f"{verdict}: {report.records} record(s), {report.count('error')} error(s), {report.count('warning')} "
        f"warning(s), {report.count('information')} information"
    )
    return ("\n".join(lines) + "\n").encode("utf-8")
