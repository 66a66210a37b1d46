"""The matcher: grades, hard rules, explanations, and what never reaches the logs."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.matching import RULE_NHS_CONFLICT, RULE_SIBLINGS, RULE_TWINS, InMemoryIndex, Matcher, find_duplicates
from tests.gateway.matching.helpers import child, prepared

VALID_NHS = "9434765919"
OTHER_VALID_NHS = "4010232137"
MOTHER = (("Grace", "Smith"),)


def assess(a: object, b: object) -> object:
    return Matcher().assess(prepared(a), prepared(b))  # type: ignore[arg-type]


def test_identical_records_with_an_nhs_number_are_certain() -> None:
    result = assess(child("a", nhs=VALID_NHS), child("b", nhs=VALID_NHS))
    assert result.grade == "certain"  # type: ignore[attr-defined]


def test_without_an_agreeing_identifier_a_match_is_at_most_probable() -> None:
    result = assess(child("a", carers=MOTHER), child("b", carers=MOTHER))
    assert result.weight >= Matcher().thresholds.certain  # type: ignore[attr-defined]
    assert result.grade == "probable"  # type: ignore[attr-defined]


def test_two_different_valid_nhs_numbers_are_never_the_same_child() -> None:
    a = child("a", nhs=VALID_NHS, upns=("A950000178301",), carers=MOTHER)
    b = child("b", nhs=OTHER_VALID_NHS, upns=("A950000178301",), carers=MOTHER)
    result = assess(a, b)
    assert result.grade is None  # type: ignore[attr-defined]
    assert result.rule == RULE_NHS_CONFLICT  # type: ignore[attr-defined]
    matcher = Matcher()
    matcher.add(a)
    assert matcher.match(b) == []


def test_an_invalid_nhs_number_one_digit_away_is_a_typo_not_a_conflict() -> None:
    result = assess(child("a", nhs=VALID_NHS), child("b", nhs="9434765991"))
    assert result.rule is None  # type: ignore[attr-defined]
    assert result.grade == "probable"  # type: ignore[attr-defined]
    assert "two transposed digits" in result.explanation_text()  # type: ignore[attr-defined]


def test_twins_are_never_more_than_possible() -> None:
    a = child("a", given="Jack", carers=MOTHER)
    b = child("b", given="Harvey", carers=MOTHER)
    result = assess(a, b)
    assert result.rule == RULE_TWINS  # type: ignore[attr-defined]
    assert result.grade == "possible"  # type: ignore[attr-defined]
    assert "possibly twins" in result.explanation_text()  # type: ignore[attr-defined]


def test_twins_rule_does_not_apply_to_a_nickname_or_when_an_identifier_agrees() -> None:
    assert assess(child("a", given="John", carers=MOTHER), child("b", given="Jack", carers=MOTHER)).rule is None  # type: ignore[attr-defined]
    same_nhs = assess(child("a", given="Jack", nhs=VALID_NHS), child("b", given="Harvey", nhs=VALID_NHS))
    assert same_nhs.rule is None  # type: ignore[attr-defined]


def test_siblings_are_never_more_than_possible() -> None:
    a = child("a", given="Jack", carers=MOTHER)
    b = child("b", given="Ruby", birth=date(2018, 9, 2), sex="M", carers=MOTHER)
    result = assess(a, b)
    assert result.rule == RULE_SIBLINGS  # type: ignore[attr-defined]
    assert result.grade in (None, "possible")  # type: ignore[attr-defined]


def test_explanation_reads_as_a_practitioner_would_say_it() -> None:
    result = assess(child("a", family="Thompson", nhs=VALID_NHS), child("b", family="Thomson"))
    text = result.explanation_text()  # type: ignore[attr-defined]
    for phrase in ("birth date agrees", "surname differs by one letter", "NHS number missing on one side"):
        assert phrase in text
    assert "Thomson" not in text and "THOMSON" not in text


def test_match_uses_blocking_and_skips_the_record_itself() -> None:
    matcher = Matcher()
    matcher.add(child("a", nhs=VALID_NHS))
    matcher.add(child("far", given="Ruby", family="Jones", birth=date(2010, 1, 1), postcode="M14 5QT", line=None))
    found = matcher.match(child("a", nhs=VALID_NHS))
    assert found == []
    found = matcher.match(child("b", nhs=VALID_NHS, birth=date(2015, 3, 15)))
    assert [r.candidate_id for r in found] == ["a"]


def test_nothing_about_a_child_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    records = [child("a", nhs=VALID_NHS), child("b", given="Olly"), child("c", given="Jack", carers=MOTHER)]
    results = list(find_duplicates(records))
    assert results
    logged = " ".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    for value in ("Oliver", "OLIVER", "Smith", "SMITH", VALID_NHS, "2015-03-14", "LS6", "birth date agrees"):
        assert value not in logged


def test_find_duplicates_reports_each_pair_once() -> None:
    records = [child("a", nhs=VALID_NHS), child("b", nhs=VALID_NHS), child("c", nhs=VALID_NHS)]
    pairs = [(r.record_id, r.candidate_id) for r in find_duplicates(records, Matcher(InMemoryIndex()))]
    assert sorted(pairs) == [("b", "a"), ("c", "a"), ("c", "b")]


@settings(max_examples=60, deadline=None)
@given(
    given_name=st.sampled_from(["Oliver", "Amelia", "Jack", "Isla"]),
    family=st.sampled_from(["Smith", "Patel", "Okafor-Jones"]),
    birth=st.dates(min_value=date(2006, 1, 1), max_value=date(2025, 12, 31)),
    identifier=st.sampled_from(["nhs", "upn", "local"]),
)
def test_a_record_with_an_identifier_matches_itself_certain(
    given_name: str, family: str, birth: date, identifier: str
) -> None:
    kwargs: dict[str, object] = {
        "nhs": {"nhs": VALID_NHS},
        "upn": {"upns": ("A950000178301",)},
        "local": {"local_ids": ("201:ABC123",)},
    }[identifier]
    record = child("a", given=given_name, family=family, birth=birth, line=None, postcode=None, **kwargs)  # type: ignore[arg-type]
    matcher = Matcher()
    matcher.add(record)
    found = matcher.match(child("b", given=given_name, family=family, birth=birth, line=None, postcode=None, **kwargs))  # type: ignore[arg-type]
    assert [r.grade for r in found] == ["certain"]


def test_a_record_without_identifiers_never_matches_itself_certain() -> None:
    matcher = Matcher()
    matcher.add(child("a", carers=MOTHER))
    assert [r.grade for r in matcher.match(child("b", carers=MOTHER))] == ["probable"]


def test_matcher_serves_the_conformance_directory_lookup() -> None:
    from gateway import Child, ChildRecord, PersonName  # noqa: PLC0415
    from gateway.matching import MatcherLookup  # noqa: PLC0415
    from gateway.rules.directory import DirectoryLookup  # noqa: PLC0415

    matcher = Matcher()
    matcher.add(child("a", nhs=VALID_NHS))
    matcher.add(child("b", nhs=VALID_NHS, line=None))
    lookup = MatcherLookup(matcher, child_of={"a": "child-1", "b": "child-1"}.get)
    assert isinstance(lookup, DirectoryLookup)
    incoming = ChildRecord(
        child=Child(
            names=(PersonName(given=("Oliver",), family="Smith"),), birth_date=date(2015, 3, 14), nhs_number=VALID_NHS
        )
    )
    found = lookup.possible_duplicates(incoming)
    assert [(d.child_id, d.decision) for d in found] == [("child-1", "link")]
    stranger = ChildRecord(
        child=Child(names=(PersonName(given=("Ruby",), family="Jones"),), birth_date=date(2011, 1, 1))
    )
    assert lookup.possible_duplicates(stranger) == []
