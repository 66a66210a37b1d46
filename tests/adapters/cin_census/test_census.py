"""Census years: labels, the end-year convention, and how the header's Year and ReferenceDate decide."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.cin_census.census import (
    SUPPORTED_YEARS,
    census_label,
    choose_year,
    end_year_of_reference_date,
    parse_census_label,
    parse_census_year,
)


def test_supported_years_are_the_ten_vendored_schemas() -> None:
    assert tuple(range(2017, 2027)) == SUPPORTED_YEARS
    assert [census_label(y) for y in (2017, 2025, 2026)] == ["2016-17", "2024-25", "2025-26"]


@pytest.mark.parametrize(
    ("reference", "end_year"),
    [(date(2024, 3, 31), 2024), (date(2024, 4, 1), 2025), (date(2023, 12, 31), 2024), (date(2024, 1, 1), 2024)],
)
def test_reference_date_belongs_to_the_census_year_ending_the_next_31_march(reference: date, end_year: int) -> None:
    assert end_year_of_reference_date(reference) == end_year


@pytest.mark.parametrize(
    ("text", "year"), [("2024", 2024), (" 2024 ", 2024), ("2024Z", 2024), ("24", None), ("x", None)]
)
def test_parse_census_year(text: str, year: int | None) -> None:
    assert parse_census_year(text) == year


def test_year_and_reference_date_that_agree() -> None:
    choice = choose_year("2025", "2025-03-31")
    assert (choice.declared, choice.schema_year, choice.source, choice.mismatch) == (2025, 2025, "ReferenceDate", None)
    assert choice.label == "2024-25" and choice.supported


def test_reference_date_wins_a_disagreement_and_the_disagreement_is_kept() -> None:
    choice = choose_year("2023", "2024-03-31")
    assert (choice.declared, choice.mismatch) == (2024, (2023, 2024))


def test_year_alone_and_unusable_reference_date() -> None:
    assert choose_year("2019", None).declared == 2019
    assert choose_year("2019", "not a date").source == "Year"


def test_years_without_a_schema_use_the_nearest_and_say_so() -> None:
    late = choose_year(None, "2027-03-31")
    assert (late.declared, late.schema_year, late.supported, late.label) == (2027, 2026, False, "2026-27")
    early = choose_year("2012", None)
    assert (early.schema_year, early.supported) == (2017, False)


def test_no_declaration_falls_back_to_the_element_shapes() -> None:
    assert choose_year(None, None, uses_sex=True).schema_year == 2026
    assert choose_year(None, None, uses_sex=False).schema_year == 2024  # the last GenderCurrent schema
    undecided = choose_year("", "", uses_sex=None)
    assert (undecided.declared, undecided.source) == (None, "default")


@pytest.mark.parametrize(
    ("label", "year"), [("2024-25", 2025), ("1999-00", 2000), ("2024-26", None), ("2025", None), (None, None)]
)
def test_parse_census_label(label: str | None, year: int | None) -> None:
    assert parse_census_label(label) == year


def test_a_submitted_year_is_used_only_when_the_file_declares_none() -> None:
    assert choose_year(None, None, submitted=2023).source == "submission"
    assert choose_year("2025", None, submitted=2023).declared == 2025
