"""DfE "code invalid" rules fire on a census file that sends codes outside the code lists.

The CIN census reader keeps such codes as sent (and reports them against the schema), so the rules that
check code validity — 8640, 8650, 8866, 4220, 8540, 8905, 8910 — see them. Synthetic file only.
"""

from __future__ import annotations

from datetime import date

from adapters.cin_census import CinCensusReader
from conformance.catalogue import builtin_catalogue
from conformance.profile import load_profile
from conformance.runner import check_submission
from gateway import Issue, SourceFile
from tests.adapters.cin_census.test_invalid_codes import VALID, invalid_codes_file

CODE_RULES = {
    ("cin/4220", "/records/0/child/ethnicity"),
    ("cin/8540", "/records/0/child/disabilities"),
    ("cin/8866", "/records/0/cin_episodes/0/referral_source"),
    ("cin/8650", "/records/0/cin_episodes/0/primary_need"),
    ("cin/8640", "/records/0/cin_episodes/0/closure_reason"),
    ("cin/8905", "/records/0/child_protection_plans/0/initial_category"),
    ("cin/8910", "/records/0/child_protection_plans/0/latest_category"),  # sent blank: missing
}


def _issues(data: bytes) -> list[Issue]:
    resolved = load_profile("cin-census-2024-25").resolve(builtin_catalogue())
    result = check_submission(
        [SourceFile(name="codes.xml", data=data)], CinCensusReader(), resolved, today=date(2025, 6, 30)
    )
    return list(result.issues)


def _code_rule_hits(issues: list[Issue]) -> set[tuple[str, str | None]]:
    rules = {rule for rule, _ in CODE_RULES}
    return {(issue.rule, issue.canonical_path) for issue in issues if issue.rule in rules}


def test_the_code_rules_pass_the_control_file() -> None:
    assert _code_rule_hits(_issues(VALID)) == set()


def test_every_code_rule_fires_on_its_invalid_code() -> None:
    assert _code_rule_hits(_issues(invalid_codes_file())) == CODE_RULES


def test_a_code_rule_issue_is_located_at_the_element_that_sent_the_code() -> None:
    issues = _issues(invalid_codes_file())
    primary = next(issue for issue in issues if issue.rule == "cin/8650")
    assert primary.severity == "error" and primary.child == "SYN0000054"
    assert primary.location is not None and primary.location.file == "codes.xml"
    assert primary.location.path == "/Message/Children/Child[1]/CINdetails[1]/PrimaryNeedCode"
    assert "N10" not in primary.message  # the rule names the field, not the value
