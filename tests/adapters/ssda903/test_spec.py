"""The yearly SSDA903 column specs: diffs applied, codes per year, cell checks."""

from __future__ import annotations

import pytest

from adapters.ssda903.spec import (
    FIRST_YEAR,
    LAST_YEAR,
    apply_diff,
    collection_year_label,
    load_year,
    parse_year,
)


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_YEAR + 1))
def test_every_year_loads_with_the_core_tables(year: int) -> None:
    spec = load_year(year)
    assert {"header", "episodes", "reviews", "missing", "uasc", "oc2", "oc3", "ad1"} <= set(spec.tables)
    assert ("sw_episodes" in spec.tables) is (year >= 2024)
    assert spec.tables["episodes"]["DECOM"].kind == "date"
    assert not spec.tables["episodes"]["DECOM"].can_be_blank
    assert spec.tables["episodes"]["DEC"].can_be_blank


def test_2025_diff_changes_sex_to_m_f_u_and_keeps_the_rest() -> None:
    assert load_year(2024).tables["header"]["SEX"].codes == {"1", "2"}
    assert load_year(2025).tables["header"]["SEX"].codes == {"M", "F", "U"}
    assert load_year(2025).tables["uasc"]["SEX"].descriptions["1"] == "M"
    assert load_year(2025).tables["episodes"]["LS"].codes == load_year(2024).tables["episodes"]["LS"].codes


def test_placement_codes_per_year() -> None:
    place = {year: load_year(year).tables["episodes"]["PLACE"].codes for year in (2024, 2025, 2026)}
    assert {"H5", "P2"} <= place[2024] and not {"H5", "P2"} & place[2025]
    assert "K3" in place[2025] and "K3" not in place[2024]
    assert {"Z11", "Z12", "Z13", "Z14"} <= place[2026] and not {"Z11"} & place[2025]


def test_other_year_to_year_changes() -> None:
    assert "E45" in load_year(2019).tables["episodes"]["REC"].codes
    assert "E45" not in load_year(2018).tables["episodes"]["REC"].codes
    assert "P4" in load_year(2022).tables["oc3"]["ACTIV"].codes and "P3" in load_year(2021).tables["oc3"]["ACTIV"].codes


def test_codes_are_stripped_when_loaded() -> None:
    assert "PCCHAN" in load_year(2024).tables["sw_episodes"]["SW_REASON"].codes


def test_apply_diff_matches_paths_ignoring_case_and_supports_add_and_delete() -> None:
    spec = {"column_map": {"Header": {"SEX": {"category": [{"code": "1"}]}, "OLD": {"string": "x"}}}}
    diff = {
        "column_map.header.SEX.category": {"type": "modify", "value": [{"code": "M"}]},
        "column_map.header.OLD": {"type": "delete"},
        "column_map.header.NEW": {"type": "add", "value": {"string": "y"}},
    }
    result = apply_diff(spec, diff)
    assert result["column_map"]["Header"] == {"SEX": {"category": [{"code": "M"}]}, "NEW": {"string": "y"}}
    assert spec["column_map"]["Header"]["SEX"]["category"] == [{"code": "1"}]  # the input is not changed


@pytest.mark.parametrize(
    ("value", "rule", "severity"),
    [
        ("1", None, None),
        (" 2 ", None, None),
        ("", "spec/ssda903/blank", "error"),
        ("M", "spec/ssda903/category", "error"),
        ("Male", "spec/ssda903/category-description", "warning"),
    ],
)
def test_category_cell_checks_2024(value: str, rule: str | None, severity: str | None) -> None:
    problem = load_year(2024).tables["header"]["SEX"].check(value)
    found = (problem.rule, problem.severity) if problem else (None, None)
    assert found == (rule, severity)


def test_date_and_integer_checks() -> None:
    decom = load_year(2024).tables["episodes"]["DECOM"]
    assert decom.check("01/04/2023") is None
    assert decom.check("2023-04-01").rule == "spec/ssda903/date-format"  # type: ignore[union-attr]
    assert decom.check("31/02/2023").rule == "spec/ssda903/date"  # type: ignore[union-attr]
    assert decom.check("April 2023").rule == "spec/ssda903/date"  # type: ignore[union-attr]
    sdq = load_year(2024).tables["oc2"]["SDQ_SCORE"]
    assert sdq.check("12") is None and sdq.check("") is None
    assert sdq.check("12.5").rule == "spec/ssda903/integer"  # type: ignore[union-attr]


def test_messages_name_codes_but_not_free_text() -> None:
    problem = load_year(2025).tables["header"]["ETHNIC"].check("Jane Smith")
    assert problem is not None and "Jane" not in problem.message
    problem = load_year(2025).tables["episodes"]["PLACE"].check("P2")
    assert problem is not None and "'P2'" in problem.message and "2024-25" in problem.message


@pytest.mark.parametrize(
    ("text", "year"),
    [("2025", 2025), ("2024-25", 2025), ("2024/25", 2025), ("2024/2025", 2025), ("2016-17", 2017),
     ("2024-26", None), ("2016", None), ("2027", None), ("next year", None)],
)  # fmt: skip
def test_parse_year(text: str, year: int | None) -> None:
    assert parse_year(text) == year


def test_collection_year_label() -> None:
    assert collection_year_label(2025) == "2024-25"
    assert collection_year_label(2000) == "1999-00"
