"""Field comparisons: every level of every field, and symmetry."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.matching import FIELDS, MISSING, compare
from tests.gateway.matching.helpers import child, prepared

VALID_NHS = "9434765919"
OTHER_VALID_NHS = "4010232137"


def levels(a_kwargs: dict[str, object], b_kwargs: dict[str, object], field: str) -> tuple[str, str]:
    comparison = compare(prepared(child("a", **a_kwargs)), prepared(child("b", **b_kwargs)))  # type: ignore[arg-type]
    return comparison.level_name(field), comparison.notes[FIELDS.index(field)]


@pytest.mark.parametrize(
    ("a", "b", "level", "note"),
    [
        ("Oliver", "Oliver", "exact", ""),
        ("William", "Bill", "nickname", "nickname"),
        ("Margaret", "Peggy", "nickname", "nickname"),
        ("John", "Jack", "nickname", "nickname"),
        ("Oliver", "Olivr", "close", "one-letter"),
        ("Ivy", "Ivu", "close", "one-letter"),
        ("Olly", "Okly", "close", "one-letter"),
        ("O", "Oliver", "partial", "initial"),
        ("Oliver", "Jack", "differs", ""),
    ],
)
def test_given_name_levels(a: str, b: str, level: str, note: str) -> None:
    assert levels({"given": a}, {"given": b}, "given_name") == (level, note)


def test_given_name_agreeing_with_a_middle_name_is_partial() -> None:
    assert levels({"given": ("Noah", "Oliver")}, {"given": "Oliver"}, "given_name") == ("partial", "middle")


def test_misspelt_nickname_is_close_when_the_surname_agrees() -> None:
    assert levels({"given": "Oliver"}, {"given": "Okly"}, "given_name") == ("close", "nickname")


def test_missing_given_name_is_missing() -> None:
    assert levels({"given": ()}, {"given": "Oliver"}, "given_name")[0] == "missing"


@pytest.mark.parametrize(
    ("a", "b", "level", "note"),
    [
        ("Smith", "smith", "exact", ""),
        ("Smith-Jones", "Smith Jones", "exact", ""),
        ("Smith-Jones", "Jones", "part", "part"),
        ("Smith Jones", "Smith-Brown", "part", "part"),
        ("Thompson", "Thomson", "close", "one-letter"),
        ("Smith", "Jones", "differs", ""),
    ],
)
def test_family_name_levels(a: str, b: str, level: str, note: str) -> None:
    assert levels({"family": a}, {"family": b}, "family_name") == (level, note)


def test_family_name_agreeing_with_a_former_surname() -> None:
    assert levels({"family": "Brown", "former_family": "Smith"}, {"family": "Smith"}, "family_name") == (
        "exact",
        "former",
    )


def test_swapped_given_and_family_names() -> None:
    comparison = compare(
        prepared(child("a", given="Oliver", family="Smith")), prepared(child("b", given="Smith", family="Oliver"))
    )
    assert comparison.level_name("given_name") == "exact"
    assert comparison.notes[FIELDS.index("given_name")] == "swapped"
    assert comparison.level_name("family_name") == "exact"


@pytest.mark.parametrize(
    ("a", "b", "level", "note"),
    [
        (date(2015, 3, 14), date(2015, 3, 14), "exact", ""),
        (date(2015, 3, 4), date(2015, 4, 3), "swapped", "swapped"),
        (date(2015, 3, 14), date(2015, 3, 15), "typo", "one-digit"),
        (date(2015, 3, 14), date(2015, 3, 41 - 27), "exact", ""),
        (date(2015, 3, 12), date(2015, 3, 21), "typo", "transposed"),
        (date(2015, 3, 14), date(2012, 7, 30), "differs", ""),
        (None, date(2015, 3, 14), "missing", ""),
    ],
)
def test_birth_date_levels(a: date | None, b: date | None, level: str, note: str) -> None:
    assert levels({"birth": a}, {"birth": b}, "birth_date") == (level, note)


def test_unknown_sex_is_missing_and_different_sex_differs() -> None:
    assert levels({"sex": "U"}, {"sex": "M"}, "sex")[0] == "missing"
    assert levels({"sex": "F"}, {"sex": "M"}, "sex")[0] == "differs"


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (("12 Church Road", "LS6 1AT"), ("12, Church Rd", "LS6 1AT"), "same"),
        (("12 Church Road", "LS6 1AT"), (None, "LS6 1AT"), "postcode"),
        (("12 Church Road", "LS6 1AT"), ("12 Church Road", "LS6 1AX"), "line"),
        (("12 Church Road", "LS6 1AT"), ("40 Mill Lane", "LS6 1NZ"), "sector"),
        (("12 Church Road", "LS6 1AT"), ("13 Church Road", "M14 5QT"), "differs"),
        ((None, None), ("12 Church Road", "LS6 1AT"), "missing"),
    ],
)
def test_address_levels(a: tuple[str | None, str | None], b: tuple[str | None, str | None], level: str) -> None:
    assert levels({"line": a[0], "postcode": a[1]}, {"line": b[0], "postcode": b[1]}, "address")[0] == level


def test_address_agreeing_with_an_earlier_address() -> None:
    moved = {"line": "40 Mill Lane", "postcode": "M14 5QT", "earlier": ("12 Church Road", "LS6 1AT")}
    assert levels(moved, {}, "address") == ("same", "earlier")


@pytest.mark.parametrize(
    ("a", "b", "level", "note"),
    [
        (VALID_NHS, VALID_NHS, "exact", ""),
        (VALID_NHS, "9434765991", "typo", "transposed"),
        (VALID_NHS, "9434765918", "typo", "one-digit"),
        (VALID_NHS, OTHER_VALID_NHS, "differs", ""),
        (None, VALID_NHS, "missing", ""),
    ],
)
def test_nhs_number_levels(a: str | None, b: str | None, level: str, note: str) -> None:
    assert levels({"nhs": a}, {"nhs": b}, "nhs_number") == (level, note)


def test_upn_agreement_with_a_former_upn_and_typos() -> None:
    assert levels({"upns": ("A950000178301",)}, {"upns": ("X00180001701A", "A950000178301")}, "upn") == (
        "exact",
        "former",
    )
    assert levels({"upns": ("A950000178301",)}, {"upns": ("A950000178310",)}, "upn")[0] == "typo"
    assert levels({"upns": ("A950000178301",)}, {"upns": ("X00180001701A",)}, "upn")[0] == "differs"


def test_local_ids_compare_only_within_a_council() -> None:
    assert levels({"local_ids": ("201:A1",)}, {"local_ids": ("201:A1",)}, "local_id")[0] == "exact"
    assert levels({"local_ids": ("201:A1",)}, {"local_ids": ("201:B2",)}, "local_id")[0] == "differs"
    assert levels({"local_ids": ("201:A1",)}, {"local_ids": ("202:A1",)}, "local_id")[0] == "missing"


def test_carers() -> None:
    mother = (("Grace", "Smith"),)
    assert levels({"carers": mother}, {"carers": (("Gracie", "Smith"),)}, "carers")[0] == "agree"
    assert levels({"carers": mother}, {"carers": (("Jane", "Smith"),)}, "carers")[0] == "partial"
    assert levels({"carers": mother}, {"carers": (("Jane", "Brown"),)}, "carers")[0] == "differs"
    assert levels({"carers": mother}, {}, "carers")[0] == "missing"


_names = st.sampled_from(["Oliver", "Olly", "Olivia", "William", "Bill", "Smith", "Smyth", "Smith-Jones", "O", ""])
_dates = st.one_of(st.none(), st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31)))
_postcodes = st.sampled_from(["LS6 1AT", "LS6 1AX", "M14 5QT", None])
_nhs = st.sampled_from([VALID_NHS, OTHER_VALID_NHS, "9434765991", None])


@st.composite
def records(draw: st.DrawFn, record_id: str) -> object:
    return child(
        record_id,
        given=draw(_names) or (),
        family=draw(_names) or None,
        birth=draw(_dates),
        sex=draw(st.sampled_from(["M", "F", "U", None])),
        postcode=draw(_postcodes),
        line=draw(st.sampled_from(["12 Church Road", "12 Church Rd", "3 Mill Lane", None])),
        nhs=draw(_nhs),
        carers=draw(st.sampled_from([(), (("Grace", "Smith"),), (("Jane", "Brown"),)])),
    )


@settings(max_examples=200, deadline=None)
@given(records("a"), records("b"))
def test_comparisons_are_symmetric(a: object, b: object) -> None:
    forward = compare(prepared(a), prepared(b))  # type: ignore[arg-type]
    backward = compare(prepared(b), prepared(a))  # type: ignore[arg-type]
    assert forward.levels == backward.levels


@settings(max_examples=100, deadline=None)
@given(records("a"))
def test_a_record_agrees_with_itself_on_every_field_it_has(a: object) -> None:
    comparison = compare(prepared(a), prepared(a))  # type: ignore[arg-type]
    address = FIELDS.index("address")
    assert all(level in (0, MISSING) for i, level in enumerate(comparison.levels) if i != address)
    # without a first line (or a postcode) an address can agree only as far as the part it has
    assert comparison.level_name("address") in ("same", "postcode", "line", "missing")
