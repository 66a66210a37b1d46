"""The DfE rules on the DfE sample files: the issues found agree with what the rules say of those files.

The expected lists below were written by reading each sample file against each rule's DfE definition (see the
comments), not by recording the output. Census 2023-24: reference date 31 March 2024, census year from
1 April 2023. Only ``cin/`` issues are compared; the reader's own ``xsd/`` and ``read/`` issues are its tests'.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.cin_census import CinCensusReader
from conformance.catalogue import builtin_catalogue
from conformance.profile import load_profile
from conformance.runner import check_submission
from gateway import SourceFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cin-census"

E, W, I = "error", "warning", "information"  # noqa: E741
Expected = tuple[str, str, str | None]

# CIN2rows.xml (ReferenceDate 2024-03-31): one child, an episode referred 2022-10-06 and closed 2023-02-27
# (before the census year), UPN A123456789123 (check letter should be P; LA 123 does not exist), an open
# assessment started 2023-01-24, a CIN plan 24-26 Jan 2023 inside two identical child protection plans
# (17 Feb 2022 - 14 Mar 2023), a section 47 enquiry of June 2022, disabilities HAND and HEAR only.
CIN2ROWS = [
    ("cin/1104", E, "/records/0/section47_enquiries/0/icpc_date"),  # ICPC 2022-06-17 < referral 2022-10-06
    ("cin/1105", E, "/records/0/child_protection_plans/0/start_date"),  # CPP 2022-02-17 < referral
    ("cin/1105", E, "/records/0/child_protection_plans/1/start_date"),
    ("cin/1510", E, "/records/0/child/upn"),
    ("cin/1530", E, "/records/0/child/upn"),
    ("cin/2887Q", W, ""),  # only 2 disability codes in the return
    ("cin/2889", E, "/records/0/section47_enquiries/0/start_date"),  # S47 2022-06-02 < referral
    ("cin/4013", E, "/records/0/cin_plans/0/end_date"),  # 2023-01-26 outside the census year
    ("cin/4016", E, "/records/0/cin_plans/0/start_date"),  # CIN plan starts inside an open CPP
    ("cin/8565", E, "/records/0/cin_episodes/0/closure_date"),  # CPP ends 2023-03-14 after closure 2023-02-27
    ("cin/8620", E, "/records/0/cin_episodes/0/closure_date"),  # closure 2023-02-27 outside the census year
    ("cin/8670Q", W, "/records/0/assessments/0/start_date"),  # open for far more than 45 working days
    ("cin/8715", E, "/records/0/section47_enquiries/0/icpc_date"),  # ICPC 2022 outside the census year
    ("cin/8736", E, "/records/0/assessments/0/start_date"),  # open assessment started before the year
    ("cin/8842Q", I, None),  # not evaluated: the canonical model keeps review dates only
    ("cin/8867", E, "/records/0/assessments/0/authorised_date"),  # closed episode, assessment not completed
    ("cin/8930", E, "/records/0/child_protection_plans/0/end_date"),  # CPP ends 2023-03-14, before the year
    ("cin/8930", E, "/records/0/child_protection_plans/1/end_date"),
    ("cin/8940", E, "/records/0/child_protection_plans/0/start_date"),  # the two plans overlap each other
    ("cin/8940", E, "/records/0/child_protection_plans/1/start_date"),
]

# cin-2022-valid.xml (ReferenceDate 2022-03-31, so rule 100 fails under the 2023-24 rules, and its own
# census year 2021-22 is the period): born 1966-03-24 AND expected 1966-03-22, died 1980, work in 1970-71.
CIN_2022_VALID = [
    ("cin/100", E, ""),  # ReferenceDate is not 2024-03-31
    ("cin/1103", E, "/records/0/assessments/0/start_date"),  # assessment 1970-06-03 < referral 1970-10-06
    ("cin/1104", E, "/records/0/section47_enquiries/0/icpc_date"),
    ("cin/1105", E, "/records/0/child_protection_plans/0/start_date"),
    ("cin/1510", E, "/records/0/child/upn"),
    ("cin/1530", E, "/records/0/child/upn"),
    ("cin/2887Q", W, ""),
    ("cin/2889", E, "/records/0/section47_enquiries/0/start_date"),
    ("cin/4013", E, "/records/0/cin_plans/0/end_date"),
    ("cin/4016", E, "/records/0/cin_plans/0/start_date"),
    ("cin/8525Q", W, "/records/0/child/birth_date"),  # both birth date and expected birth date
    ("cin/8530Q", W, "/records/0/child/expected_birth_date"),  # 1966 is not near 2022
    ("cin/8545Q", W, "/records/0/child/death_date"),  # died 1980, outside the census year
    ("cin/8565", E, "/records/0/cin_episodes/0/closure_date"),  # authorised 1971-07-18 after closure 1971-02-27
    ("cin/8620", E, "/records/0/cin_episodes/0/closure_date"),
    ("cin/8696", E, "/records/0/assessments/0/authorised_date"),
    ("cin/8715", E, "/records/0/section47_enquiries/0/icpc_date"),
    ("cin/8842Q", I, None),
    ("cin/8930", E, "/records/0/child_protection_plans/0/end_date"),
]

# CIN_Census_2024.xml (ReferenceDate 2024-03-31): child 1 as in CIN2rows but with a 2024-25 <Sex> element
# (not GenderCurrent, so no gender for 2023-24), one CPP, and an assessment started 2028-04-28 but authorised
# 2020-09-19; child 2 referred 2024-10-24 (after the reference date), closed 2024-10-29 (RC9), assessed
# 2023-12-25 to 2024-01-27 with no factors.
CIN_CENSUS_2024 = [
    ("cin/1103", E, "/records/1/assessments/0/start_date"),  # 2023-12-25 < referral 2024-10-24
    ("cin/1104", E, "/records/0/section47_enquiries/0/icpc_date"),
    ("cin/1105", E, "/records/0/child_protection_plans/0/start_date"),
    ("cin/1510", E, "/records/0/child/upn"),
    ("cin/1530", E, "/records/0/child/upn"),
    ("cin/2886Q", W, ""),  # neither child has a gender recorded (100% > 2%)
    ("cin/2887Q", W, ""),
    ("cin/2889", E, "/records/0/section47_enquiries/0/start_date"),
    ("cin/4013", E, "/records/0/cin_plans/0/end_date"),
    ("cin/4016", E, "/records/0/cin_plans/0/start_date"),
    ("cin/4180", E, "/records/0/child/sex"),
    ("cin/4180", E, "/records/1/child/sex"),
    ("cin/8565", E, "/records/0/cin_episodes/0/closure_date"),  # assessment starts 2028, after closure
    ("cin/8600", E, "/records/1/cin_episodes/0/referral_date"),  # referred after the reference date
    ("cin/8608", E, "/records/0/assessments/0/authorised_date"),  # authorised before it started
    ("cin/8620", E, "/records/0/cin_episodes/0/closure_date"),
    ("cin/8620", E, "/records/1/cin_episodes/0/closure_date"),  # closed 2024-10-29, after the year
    ("cin/8696", E, "/records/0/assessments/0/authorised_date"),  # 2020-09-19 outside the year
    ("cin/8715", E, "/records/0/section47_enquiries/0/icpc_date"),
    ("cin/8842Q", I, None),
    ("cin/8897Q", W, "/records/1/assessments/0/factors"),  # completed in the year with no factors
    ("cin/8930", E, "/records/0/child_protection_plans/0/end_date"),
]


def _cin_issues(name: str, profile: str) -> list[tuple[str, str, str | None]]:
    resolved = load_profile(profile).resolve(builtin_catalogue())
    result = check_submission(
        [SourceFile.from_path(FIXTURES / name)], CinCensusReader(), resolved, today=date(2025, 6, 30)
    )
    return sorted(
        (issue.rule, issue.severity, (issue.canonical_path or "") if issue.severity != I else None)
        for issue in result.issues
        if issue.rule.startswith("cin/")
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CIN2rows.xml", CIN2ROWS), ("cin-2022-valid.xml", CIN_2022_VALID), ("CIN_Census_2024.xml", CIN_CENSUS_2024)],
)
def test_dfe_rules_find_what_the_rules_say_of_the_samples(
    name: str, expected: list[tuple[str, str, str | None]]
) -> None:
    assert _cin_issues(name, "cin-census-2023-24") == sorted(
        (rule, severity, path if severity != I else None) for rule, severity, path in expected
    )


def test_issues_are_located_in_the_suppliers_file() -> None:
    resolved = load_profile("cin-census-2023-24").resolve(builtin_catalogue())
    result = check_submission(
        [SourceFile.from_path(FIXTURES / "CIN2rows.xml")], CinCensusReader(), resolved, today=date(2025, 6, 30)
    )
    by_rule = {issue.rule: issue for issue in result.issues}
    upn = by_rule["cin/1510"]
    assert upn.location is not None and upn.location.file == "CIN2rows.xml"
    assert upn.location.line == 21 and upn.location.path == "/Message/Children/Child[1]/ChildIdentifiers/UPN"
    assert upn.child == "DfEX0000001"
    assert "A123456789123" not in upn.message  # the value is never echoed


def test_under_2024_25_rules_the_2023_24_file_fails_rule_100_and_uses_sex() -> None:
    issues = _cin_issues("CIN_Census_2024.xml", "cin-census-2024-25")
    rules = {rule for rule, _, _ in issues}
    assert "cin/100" in rules  # 2024-03-31 is not 2025-03-31
    assert ("cin/1580", E, "/records/1/child/local_ids/0/la_child_id") in issues  # underscores
    assert ("cin/1570", E, "/records/1/child/local_ids/0/la_child_id") in issues  # 23 characters
