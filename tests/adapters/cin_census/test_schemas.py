"""The vendored XSDs: every census year loads offline, and the shape facts the adapter relies on hold."""

from __future__ import annotations

import warnings

import pytest
from lxml import etree

from adapters.cin_census.census import SUPPORTED_YEARS
from adapters.cin_census.schemas import element_years, schema_for, schema_path
from gateway import ConfigurationError


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_each_year_loads_with_both_validators_and_no_warning(year: int) -> None:
    schema = schema_for(year)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explainer = schema.explainer
    assert explainer.elements.keys() >= {"Message", "Child", "Header"}
    assert schema.validator.validate(etree.fromstring(b"<Header><Source><LEA>201</LEA></Source></Header>"))


def test_sex_replaced_gender_current_in_2024_25() -> None:
    for year in SUPPORTED_YEARS:
        schema = schema_for(year)
        assert schema.uses_sex == (year >= 2025), year
        assert ("GenderCurrent" in schema.codes) == (year < 2025), year
    assert list(schema_for(2024).codes["GenderCurrent"]) == ["1", "2", "0", "9"]
    assert list(schema_for(2025).codes["Sex"]) == ["M", "F", "U"]


def test_yes_no_is_only_0_or_1_from_2024_25() -> None:
    assert set(schema_for(2024).yes_no_codes) == {"true", "false", "TRUE", "FALSE", "0", "1"}
    assert set(schema_for(2025).yes_no_codes) == {"0", "1"}


def test_code_lists_follow_the_yearly_changes() -> None:
    assert not schema_for(2021).has_cin_plan_dates and schema_for(2022).has_cin_plan_dates
    assert "24A" not in schema_for(2021).codes["AssessmentFactors"]
    assert "24A" in schema_for(2022).codes["AssessmentFactors"]
    assert (
        "RC9" not in schema_for(2022).codes["ReasonForClosure"] and "RC9" in schema_for(2023).codes["ReasonForClosure"]
    )
    assert "18A" in schema_for(2020).codes["AssessmentFactors"]
    assert "18A" not in schema_for(2024).codes["AssessmentFactors"]
    assert "18A" in schema_for(2025).codes["AssessmentFactors"]
    assert schema_for(2026).codes["PrimaryNeedCode"]["N1"] == "Abuse, neglect and exploitation"
    assert schema_for(2024).codes["Ethnicity"]["WBRI"] == "White British"


def test_element_years() -> None:
    assert element_years("Sex") == (2025, 2026)
    assert element_years("CINPlanDates") == tuple(range(2022, 2027))
    assert element_years("PreProceedingsandFGDM") == ()


def test_unsupported_year_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        schema_path(2016)
