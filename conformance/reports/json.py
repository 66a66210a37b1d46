"""The JSON report: a summary and one object per issue with its rule, severity, message and locations."""

from __future__ import annotations

from typing import Any

import orjson

from conformance.reports.model import CheckReport, issue_file

__all__ = ["issue_objects", "render_json"]


def issue_objects(report: CheckReport) -> list[dict[str, Any]]:
    """One JSON object per issue: rule, severity, message, file, line / row and column, path, child."""
    objects = []
    for submission in report.submissions:
        for issue in submission.issues:
            location = issue.location
            objects.append(
                {
                    "rule": issue.rule,
                    "severity": issue.severity,
                    "message": issue.message,
                    "file": issue_file(issue, submission),
                    "line": location.line if location else None,
                    "row": location.row if location else None,
                    "column": location.column if location else None,
                    "path": location.path if location else None,
                    "canonical_path": issue.canonical_path,
                    "child": issue.child,
                }
            )
    return objects


def render_json(report: CheckReport) -> bytes:
    """The whole report as one JSON document."""
    profile = report.profile
    document = {
        "profile": {
            "id": profile.profile.id,
            "title": profile.profile.title,
            "packs": list(profile.profile.packs),
            "overrides": [
                {"rule": active.rule.id, "severity": active.severity, "reason": active.override_reason}
                for active in profile.active
                if active.override_reason
            ]
            + [
                {"rule": rule.id, "severity": "disabled", "reason": override.reason}
                for rule, override in profile.disabled
            ],
        },
        "checked_at": report.checked_at.isoformat(),
        "summary": {
            "files": sum(len(submission.files) for submission in report.submissions),
            "records": report.records,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "information": report.count("information"),
            "passed": not report.failed,
        },
        "submissions": [
            {
                "files": list(submission.files),
                "format": submission.format_id,
                "format_version": submission.format_version,
                "profile": submission.profile_id,
                "profile_reason": submission.profile_reason,
                "records": submission.records,
                "errors": submission.count("error"),
                "warnings": submission.count("warning"),
            }
            for submission in report.submissions
        ],
        "issues": issue_objects(report),
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
