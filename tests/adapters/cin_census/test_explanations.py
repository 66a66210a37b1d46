"""Schema failures become ``xsd/<kind>`` issues a supplier can act on, located by line and XPath, and never
carrying the supplied value (only a code-shaped value may be named)."""

from __future__ import annotations

import pytest

from adapters.cin_census.reader import CinCensusReader
from adapters.cin_census.synthetic import generate_records
from adapters.cin_census.writer import CinCensusWriter
from tests.adapters.cin_census.support import read_bytes

PRIVATE = "Jo Bloggs 07700900123"


def _file(year: int) -> bytes:
    return CinCensusWriter(census_year=year, la_code="201").write(generate_records(1, year=year, seed=11))


def _replace(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode(), 1)


def _tag_text(data: bytes, tag: str) -> str:
    start = data.index(f"<{tag}>".encode()) + len(tag) + 2
    return data[start : data.index(f"</{tag}>".encode())].decode()


CASES = [
    # (year, element, new text, rule, words the message must contain)
    (2024, "PersonBirthDate", "2020-13-45", "xsd/datatype", "YYYY-MM-DD"),
    (2024, "PersonBirthDate", PRIVATE, "xsd/datatype", "valid date"),
    (2024, "LAchildID", "", "xsd/length", "must not be empty"),
    (2025, "Ethnicity", PRIVATE, "xsd/enumeration", "WBRI"),
    (2025, "Sex", "1", "xsd/enumeration", "('1')"),
    (2024, "CINreferralDate", "31/05/2024", "xsd/datatype", "YYYY-MM-DD"),
    (2024, "ReferralNFA", "yes", "xsd/enumeration", "true, false, TRUE, FALSE, 0, 1"),
    (2025, "ReferralNFA", "true", "xsd/enumeration", "('true')"),  # a code of earlier years: named
    (2025, "Ethnicity", "Smith", "xsd/enumeration", "use one of: WBRI"),
]
NAMED = {"1", "true"}
"""The supplied values that may appear in a message: codes (of this element in some census year)."""


@pytest.mark.parametrize(("year", "tag", "text", "rule", "words"), CASES)
@pytest.mark.parametrize("explain_limit", [1000, 0])
def test_value_failures(year: int, tag: str, text: str, rule: str, words: str, explain_limit: int) -> None:  # noqa: PLR0917
    data = _file(year)
    data = _replace(data, f"<{tag}>{_tag_text(data, tag)}</{tag}>", f"<{tag}>{text}</{tag}>")
    events = read_bytes(data, reader=CinCensusReader(explain_limit=explain_limit))
    (issue,) = [i for i in events.issues if i.rule.startswith("xsd/")]
    assert issue.rule == rule
    assert issue.location is not None and issue.location.path is not None
    assert issue.location.path.startswith("/Message/Children/Child[1]/") and issue.location.path.endswith(tag)
    assert issue.location.line == data[: data.index(f"<{tag}>{text}".encode())].count(b"\n") + 1
    if text not in NAMED:
        assert not text or text not in issue.message, issue.message
    if explain_limit:  # the detailed explanation names what to do
        assert words in issue.message, issue.message
    assert len(events.records) == 1


def test_pattern_attribute_and_structure_failures() -> None:
    data = _file(2024)
    data = _replace(data, "<ChildIdentifiers>", '<ChildIdentifiers secret="x">')
    data = _replace(data, "<Ethnicity>", "<Ethnicity><b/>")
    data = data.replace(b"<UPNunknown>", b"<UPN>A12</UPN><UPNunknown>", 1) if b"<UPN>" not in data else data
    data = _replace(data, f"<UPN>{_tag_text(data, 'UPN')}</UPN>", f"<UPN>{PRIVATE}</UPN>")
    events = read_bytes(data)
    messages = {issue.rule: issue.message for issue in events.issues}
    # Ethnicity holding an element is also empty: it fails its minimum length and its code list too
    assert set(messages) == {"xsd/attribute", "xsd/pattern", "xsd/unexpected-element", "xsd/length", "xsd/enumeration"}
    assert "(secret)" in messages["xsd/attribute"]
    assert "a letter, 11 digits" in messages["xsd/pattern"]
    assert "must hold a value" in messages["xsd/unexpected-element"]
    assert all(PRIVATE not in message for message in messages.values())


def test_previous_plans_minimum_changed_in_2024_25() -> None:
    old = b"<NumberOfPreviousCPP>0</NumberOfPreviousCPP>"
    for year, expected in ((2024, ["xsd/datatype"]), (2025, [])):
        records = [r for r in generate_records(60, year=year, seed=5) if r.child_protection_plans][:1]
        data = CinCensusWriter(census_year=year).write(records)
        start = data.index(b"<NumberOfPreviousCPP>")
        data = data[:start] + old + data[data.index(b"</NumberOfPreviousCPP>", start) + 22 :]
        events = read_bytes(data)
        assert events.rules() == expected, year
        if expected:
            assert "1 or more" in events.issues[0].message
        else:
            assert events.records[0].child_protection_plans[0].previous_plans == 0


def test_missing_required_element_names_it() -> None:
    data = _file(2025)
    start = data.index(b"<ReferralSource>")
    data = data[:start] + data[data.index(b"</ReferralSource>") + 17 :]
    (issue,) = read_bytes(data).issues
    assert issue.rule in {"xsd/unexpected-element", "xsd/missing-element"}
    assert "ReferralSource" in issue.message


def test_map_issues_are_not_repeated_when_the_schema_already_located_the_problem() -> None:
    data = _file(2025)
    data = _replace(data, f"<Sex>{_tag_text(data, 'Sex')}</Sex>", "<Sex>X</Sex>")
    events = read_bytes(data)
    assert events.rules() == ["xsd/enumeration"]
    assert events.records[0].child.sex is None


def test_values_the_schema_allows_but_the_model_cannot_hold_are_map_issues() -> None:
    data = _file(2025)
    birth = _tag_text(data, "PersonBirthDate")
    data = _replace(
        data, f"<PersonBirthDate>{birth}</PersonBirthDate>", "<PersonBirthDate>-0001-01-01</PersonBirthDate>"
    )
    events = read_bytes(data)
    assert events.rules() == ["map/invalid-date"]
    assert events.issues[0].location is not None
    assert events.issues[0].location.path == "/Message/Children/Child[1]/ChildIdentifiers/PersonBirthDate"
    assert events.records[0].child.birth_date is None


def test_a_code_of_other_census_years_says_which() -> None:
    records = [r for r in generate_records(40, year=2024, seed=9) if r.assessments and r.assessments[0].factors][:1]
    data = CinCensusWriter(census_year=2024).write(records)
    start = data.index(b"<AssessmentFactors>") + 19
    data = data[:start] + b"18A" + data[data.index(b"</AssessmentFactors>", start) :]
    (issue,) = read_bytes(data).issues
    assert "('18A')" in issue.message
    assert "census 2016-17 to 2019-20 and 2024-25 to 2025-26 use it" in issue.message
