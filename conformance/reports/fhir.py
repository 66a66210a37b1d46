"""The FHIR R4 OperationOutcome report: one ``issue`` per issue, coded with the gateway's rule id."""

from __future__ import annotations

from typing import Any, Final

import orjson

from conformance.reports.model import CheckReport, issue_file

__all__ = ["RULE_SYSTEM", "render_fhir"]

RULE_SYSTEM: Final = "https://ecm-gateway.example/conformance/rules"
"""Code system of the gateway's rule ids (``ics-1b/...``, ``cin/8608``, ``read/...``, ``xsd/...``)."""

_FHIR_SEVERITY: Final = {"error": "error", "warning": "warning", "information": "information"}


def _code(rule: str) -> str:
    if rule.startswith(("xsd/", "read/")):
        return "structure"
    if rule.startswith("map/"):
        return "value"
    return "business-rule"


def render_fhir(report: CheckReport) -> bytes:
    """A FHIR R4 ``OperationOutcome`` (JSON) listing every issue; one ``informational`` issue when none."""
    issues: list[dict[str, Any]] = []
    for submission in report.submissions:
        for issue in submission.issues:
            where = issue_file(issue, submission)
            location = issue.location
            if location is not None and location.line:
                where += f":{location.line}"
            if location is not None and location.row:
                where += f" row {location.row}"
            if location is not None and location.path:
                where += f" {location.path}"
            entry: dict[str, Any] = {
                "severity": _FHIR_SEVERITY[issue.severity],
                "code": _code(issue.rule),
                "details": {"coding": [{"system": RULE_SYSTEM, "code": issue.rule}], "text": issue.message},
                "diagnostics": f"{issue.rule}: {issue.message}"
                + (f" (child {issue.child})" if issue.child else "")
                + (f" [{issue.canonical_path}]" if issue.canonical_path else ""),
                "location": [where],
            }
            issues.append(entry)
    if not issues:
        issues.append(
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": f"no issues under profile {report.profile.profile.id}",
            }
        )
    outcome = {"resourceType": "OperationOutcome", "issue": issues}
    return orjson.dumps(outcome, option=orjson.OPT_INDENT_2) + b"\n"
