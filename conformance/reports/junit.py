"""The JUnit XML report: one test case per rule per file, so a council's CI can gate on it.

A test case fails when its rule found an error in the file; warnings and information are listed in its
``system-out`` without failing it; a rule that could not be evaluated for the file is ``skipped``.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from conformance.examples import NOT_EVALUATED_PREFIX
from conformance.reports.model import CheckReport, issue_file
from gateway import Issue

__all__ = ["render_junit"]

_MAX_LISTED = 50


def _where(issue: Issue) -> str:
    location = issue.location
    parts = []
    if location is not None:
        if location.line:
            parts.append(f"line {location.line}")
        if location.row:
            parts.append(f"row {location.row}")
        if location.column:
            parts.append(f"column {location.column}")
        if location.path:
            parts.append(location.path)
    if issue.child:
        parts.append(f"child {issue.child}")
    return ", ".join(parts) or "-"


def _lines(issues: list[Issue]) -> str:
    shown = [f"{issue.severity}: {issue.message} [{_where(issue)}]" for issue in issues[:_MAX_LISTED]]
    if len(issues) > _MAX_LISTED:
        shown.append(f"... and {len(issues) - _MAX_LISTED} more")
    return "\n".join(shown)


def render_junit(report: CheckReport) -> bytes:
    """JUnit XML: a test suite per file, a test case per rule (the profile's and the reader's rules)."""
    suites = etree.Element("testsuites", name=f"ecm-gateway check --profile {report.profile.profile.id}")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for submission in report.submissions:
        rule_ids = [active.rule.id for active in submission.rules or report.profile.active]
        by_file: dict[str, dict[str, list[Issue]]] = defaultdict(lambda: defaultdict(list))
        for issue in submission.issues:
            by_file[issue_file(issue, submission)][issue.rule].append(issue)
        files = list(submission.files) + [name for name in by_file if name not in submission.files]
        for name in files:
            found = by_file.get(name, {})
            suite = etree.SubElement(suites, "testsuite", name=name)
            counts = {"tests": 0, "failures": 0, "skipped": 0}
            for rule_id in rule_ids + sorted(rule for rule in found if rule not in rule_ids):
                issues = found.get(rule_id, [])
                case = etree.SubElement(suite, "testcase", classname=name, name=rule_id)
                counts["tests"] += 1
                errors = [issue for issue in issues if issue.severity == "error"]
                if errors:
                    counts["failures"] += 1
                    failure = etree.SubElement(case, "failure", message=errors[0].message, type="error")
                    failure.text = _lines(errors)
                elif issues and all(issue.message.startswith(NOT_EVALUATED_PREFIX) for issue in issues):
                    counts["skipped"] += 1
                    etree.SubElement(case, "skipped", message=issues[0].message)
                if issues and not errors:
                    etree.SubElement(case, "system-out").text = _lines(issues)
            for key, value in counts.items():
                suite.set(key, str(value))
                totals[key] += value
            suite.set("errors", "0")
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("errors", "0")
    document: bytes = etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return document
