"""Every CIN census sample in ``tests/fixtures/cin-census`` is read: the schema-valid one cleanly, each broken
one with located issues. The expected issues below were written by reading the files line by line."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.cin_census.reader import CinCensusReader
from gateway.codes import DFE_ETHNICITY
from tests.adapters.cin_census.support import FIXTURES, read_path

C1 = "/Message/Children/Child[1]"
C2 = "/Message/Children/Child[2]"
FACTORS = "CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment"


def test_every_sample_is_read_without_crashing() -> None:
    samples = sorted(FIXTURES.glob("*.xml"))
    assert {p.name for p in samples} >= {
        "cin-2022-valid.xml",
        "CIN2rows.xml",
        "CIN_Census_2021.xml",
        "CIN_Census_2024.xml",
        "CIN_Census_2026.xml",
    }
    for path in samples:
        events = read_path(path)
        assert events.headers, path.name
        assert events.records, path.name


def test_valid_2022_file_yields_its_child_with_no_issue() -> None:
    events = read_path(FIXTURES / "cin-2022-valid.xml")
    assert events.issues == []
    header = events.header
    assert (header.format_id, header.format_version, header.la_code) == ("cin-census-xml", "2021-22", "201")
    assert header.reference_date == date(2022, 3, 31)
    assert header.details["schema"] == "CIN_schema_2022.xsd"
    (record,) = events.records
    child = record.child
    assert [(i.la_code, i.la_child_id) for i in child.local_ids] == [("201", "DfEX0000001")]
    assert (child.upn, child.former_upns, child.upn_unknown_reason) == ("A123456789123", ("X98765432123B",), "UN3")
    assert (child.birth_date, child.expected_birth_date) == (date(1966, 3, 24), date(1966, 3, 22))
    assert (child.sex, child.death_date) == ("M", date(1980, 10, 8))  # GenderCurrent 1 = male
    assert child.ethnicity is not None
    assert (child.ethnicity.system, child.ethnicity.code, child.ethnicity.display) == (
        DFE_ETHNICITY,
        "WBRI",
        "White British",
    )
    assert child.disabilities == ("HAND", "HEAR")
    (episode,) = record.cin_episodes
    assert episode.episode_id == "201/DfEX0000001/cin1"
    assert (episode.referral_date, episode.referral_source, episode.primary_need) == (date(1970, 10, 6), "1A", "N4")
    assert (episode.closure_date, episode.closure_reason) == (date(1971, 2, 27), "RC1")
    assert (episode.initial_cp_conference_date, episode.referral_nfa) == (date(1970, 12, 6), False)
    (assessment,) = record.assessments
    assert assessment.assessment_id == "201/DfEX0000001/cin1/assessment1"
    assert assessment.episode_id == episode.episode_id
    assert (assessment.kind, assessment.child_seen_known, assessment.child_seen_dates) == ("single", False, ())
    assert (assessment.start_date, assessment.internal_review_date) == (date(1970, 6, 3), date(1970, 6, 22))
    assert assessment.authorised_date == assessment.completed_date == date(1971, 7, 18)
    assert assessment.factors == ("2A", "2B")
    (plan,) = record.cin_plans
    assert (plan.plan_id, plan.start_date, plan.end_date) == (
        "201/DfEX0000001/cin1/cinplan1",
        date(1971, 1, 24),
        date(1971, 1, 26),
    )
    (enquiry,) = record.section47_enquiries
    assert (enquiry.start_date, enquiry.icpc_target_date, enquiry.icpc_date, enquiry.icpc_not_required) == (
        date(1970, 6, 2),
        date(1970, 6, 23),
        date(1970, 6, 17),
        False,
    )
    (protection,) = record.child_protection_plans
    assert (protection.start_date, protection.end_date) == (date(1970, 2, 17), date(1971, 3, 14))
    assert (protection.initial_category, protection.latest_category, protection.previous_plans) == ("PHY", "PHY", 10)
    assert protection.review_dates == (date(1971, 2, 15),)


def test_cin2rows_stray_text_and_year_mismatch() -> None:
    # Year 2023 with ReferenceDate 2024-03-31 (line 6); "PersonBirthDate" typed as text after UPNunknown (line 23).
    events = read_path(FIXTURES / "CIN2rows.xml")
    assert events.header.format_version == "2023-24"
    assert events.located() == [
        ("read/census-year-mismatch", "warning", 6, "/Message/Header/CollectionDetails"),
        ("xsd/mixed-content", "error", 23, f"{C1}/ChildIdentifiers"),
    ]
    assert events.issues[1].child == "DfEX0000001"
    assert "after UPNunknown" in events.issues[1].message
    (record,) = events.records
    assert len(record.child_protection_plans) == 2  # the two (identical) plans are both kept, with their own ids
    assert [p.plan_id for p in record.child_protection_plans] == [
        "201/DfEX0000001/cin1/cpp1",
        "201/DfEX0000001/cin1/cpp2",
    ]


def test_census_2021_sample_is_read_as_2022_23_with_its_stray_text() -> None:
    # Year 2023, ReferenceDate 2023-03-31: census 2022-23; the stray text is on line 23.
    events = read_path(FIXTURES / "CIN_Census_2021.xml")
    assert events.header.format_version == "2022-23"
    assert events.located() == [("xsd/mixed-content", "error", 23, f"{C1}/ChildIdentifiers")]


def test_census_2024_sample_uses_2025_elements_in_a_2023_24_file() -> None:
    events = read_path(FIXTURES / "CIN_Census_2024.xml")
    assert events.header.format_version == "2023-24"
    assert events.located() == [
        ("read/census-year-mismatch", "warning", 6, "/Message/Header/CollectionDetails"),
        ("xsd/mixed-content", "error", 23, f"{C1}/ChildIdentifiers"),
        ("xsd/unexpected-element", "error", 25, f"{C1}/ChildIdentifiers/Sex"),
        ("xsd/enumeration", "error", 46, f"{C1}/{FACTORS}/AssessmentFactors[2]"),
        ("xsd/unexpected-element", "error", 78, f"{C2}/ChildIdentifiers/Sex"),
        ("xsd/missing-element", "error", 95, f"{C2}/{FACTORS}"),
    ]
    sex = events.issues[2].message
    assert "census 2024-25 to 2025-26 have it" in sex and "GenderCurrent" in sex
    assert "'RB'" in events.issues[3].message  # a code-shaped value may be named
    assert [issue.child for issue in events.issues[1:]] == ["DfEX0000001"] * 3 + ["child_fails_assessments"] * 2
    # both children are still yielded; the values the year cannot carry are left unset, never guessed
    first, second = events.records
    assert first.child.sex is None and second.child.sex is None
    assert first.assessments[0].factors == ("1C", "6B")
    assert second.assessments[0].factors == ()


def test_census_2026_sample_read_as_its_own_shape_shows_the_2025_yes_no_rule() -> None:
    # Forced to census 2025-26 (the shape its children are written in): Sex 1 is not M/F/U, "false" is not 0/1.
    events = read_path(FIXTURES / "CIN_Census_2026.xml", CinCensusReader(census_year=2026))
    assert events.header.format_version == "2025-26"
    assert events.located() == [
        ("xsd/mixed-content", "error", 23, f"{C1}/ChildIdentifiers"),
        ("xsd/enumeration", "error", 25, f"{C1}/ChildIdentifiers/Sex"),
        ("xsd/enumeration", "error", 46, f"{C1}/{FACTORS}/AssessmentFactors[2]"),
        ("xsd/enumeration", "error", 58, f"{C1}/CINdetails[1]/Section47[1]/ICPCnotRequired"),
        ("xsd/unexpected-element", "error", 71, f"{C1}/CINdetails[1]/PreProceedingsandFGDM"),
        ("xsd/missing-element", "error", 107, f"{C2}/{FACTORS}"),
        ("xsd/enumeration", "error", 109, f"{C2}/CINdetails[1]/ReferralNFA"),
    ]
    assert "no census year's schema has it" in events.issues[4].message
    first, second = events.records
    assert (first.child.sex, second.child.sex) == (None, "M")
    assert first.section47_enquiries[0].icpc_not_required is None  # "false" is not a 2025-26 yes/no code
    assert second.cin_episodes[0].referral_nfa is None


@pytest.mark.parametrize("name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml"])
def test_a_failing_child_does_not_stop_the_next(name: str) -> None:
    events = read_path(FIXTURES / name)
    assert [r.child.local_ids[0].la_child_id for r in events.records] == ["DfEX0000001", "child_fails_assessments"]
