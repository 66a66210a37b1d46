"""The HTML report: one self-contained page (no external files) a council officer can read and filter.

Issues can be filtered by rule, child and severity; the filters are also read from the page's address
(``report.html#severity=error&rule=cin/8608&child=C1``) so that a filtered view can be linked to.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from conformance.reports.model import CheckReport, issue_file

__all__ = ["render_html"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: CheckReport) -> bytes:
    """The report as one HTML page with its styles and script inline."""
    rows = []
    for submission in report.submissions:
        for issue in submission.issues:
            location = issue.location
            where = []
            if location is not None:
                if location.line:
                    where.append(f"line {location.line}")
                if location.row:
                    where.append(f"row {location.row}")
                if location.column:
                    where.append(f"column {location.column}")
            rows.append(
                {
                    "rule": issue.rule,
                    "severity": issue.severity,
                    "message": issue.message,
                    "file": issue_file(issue, submission),
                    "where": ", ".join(where),
                    "path": location.path if location and location.path else "",
                    "canonical_path": issue.canonical_path or "",
                    "child": issue.child or "",
                }
            )
    rules = Counter(row["rule"] for row in rows)
    children = sorted({row["child"] for row in rows if row["child"]})
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            profile=report.profile.profile,
            overrides=[active for active in report.profile.active if active.override_reason],
            disabled=report.profile.disabled,
            rows=rows,
            rules=sorted(rules.items()),
            children=children,
            counts={severity: report.count(severity) for severity in ("error", "warning", "information")},
        )
    )
    return page.encode("utf-8")
