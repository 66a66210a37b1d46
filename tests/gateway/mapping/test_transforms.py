"""Every whitelisted transform, with its edge cases."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from gateway.mapping import TRANSFORM_NAMES, CodeTables, describe_code, parse_date
from gateway.mapping.transforms import Note, ValueProblem, compile_transform
from gateway.resources import data_dir

TABLES = CodeTables([data_dir("mappings")])


def run(name: str, value: Any, **args: Any) -> tuple[Any, list[Note]]:
    notes: list[Note] = []
    return compile_transform(name, args, TABLES)(value, notes), notes


def problem(name: str, value: Any, **args: Any) -> ValueProblem:
    with pytest.raises(ValueProblem) as caught:
        run(name, value, **args)
    return caught.value


def test_the_whitelist_is_exactly_what_the_schema_allows() -> None:
    schema = json.loads((data_dir("schemas") / "mapping" / "mapping.schema.json").read_text())
    bare, with_args = schema["$defs"]["transform"]["oneOf"]
    assert set(bare["enum"]) | set(with_args["propertyNames"]["enum"]) == set(TRANSFORM_NAMES)


def test_unknown_transform_is_refused() -> None:
    with pytest.raises(LookupError, match="unknown transform 'eval'"):
        compile_transform("eval", {}, TABLES)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("01/02/2020", "dd/mm/yyyy", date(2020, 2, 1)),
        ("1/2/2020", "dd/mm/yyyy", date(2020, 2, 1)),
        ("2020-02-01", "yyyy-mm-dd", date(2020, 2, 1)),
        ("01-02-2020", "dd-mm-yyyy", date(2020, 2, 1)),
        ("01.02.2020", "dd.mm.yyyy", date(2020, 2, 1)),
        ("20200201", "yyyymmdd", date(2020, 2, 1)),
        ("29/02/2024", "dd/mm/yyyy", date(2024, 2, 29)),
    ],
)
def test_date_layouts(text: str, fmt: str, expected: date) -> None:
    assert run("date", text, format=fmt) == (expected, [])


@pytest.mark.parametrize("text", ["2020-02-01", "01/02/20", "01/02/2020 00:00", "1st Feb 2020", "０１/02/2020", "//"])
def test_date_in_another_layout_is_a_format_problem(text: str) -> None:
    found = problem("date", text, format="dd/mm/yyyy")
    assert (found.rule, found.severity) == ("map/date-format", "error")
    assert text not in found.message


@pytest.mark.parametrize("text", ["31/02/2020", "29/02/2023", "00/01/2020", "01/13/2020"])
def test_impossible_dates(text: str) -> None:
    assert problem("date", text, format="dd/mm/yyyy").rule == "map/invalid-date"


def test_also_accept_reads_with_a_warning() -> None:
    value, notes = run("date", " 2020-02-01 ", format="dd/mm/yyyy", also_accept=["yyyy-mm-dd"])
    assert value == date(2020, 2, 1)
    assert [(note.rule, note.severity) for note in notes] == [("map/date-format", "warning")]


def test_parse_date_caches_but_still_refuses_impossible_dates_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="impossible"):
            parse_date("30/02/2021", "dd/mm/yyyy")
        assert parse_date("nonsense", "dd/mm/yyyy") is None


def test_code_lookup_alias_and_unmapped() -> None:
    assert run("code", "1", table="census-gender-to-sex") == ("M", [])
    value, notes = run("code", "Male", table="ssda903/sex")
    assert value == "M" and notes[0].rule == "map/code-alias"
    unmapped = problem("code", "7", table="census-gender-to-sex")
    assert (unmapped.rule, unmapped.severity) == ("map/unmapped-code", "error")
    assert "'7'" in unmapped.message
    assert problem("code", "7", table="census-gender-to-sex", severity="warning").severity == "warning"


def test_code_table_case_policy() -> None:
    assert run("code", "wbri", table="dfe-ethnicity")[0] == "WBRI"  # case-insensitive table
    assert problem("code", "m", table="sex-to-census-gender").rule == "map/unmapped-code"  # case-sensitive


def test_code_with_an_unknown_table_fails_at_compile_time() -> None:
    with pytest.raises(LookupError, match="code table 'nope' not found"):
        compile_transform("code", {"table": "nope"}, TABLES)


def test_boolean() -> None:
    args = {"true": ["Y", "1"], "false": ["N", "0"]}
    assert run("boolean", " y ", **args)[0] is True
    assert run("boolean", "0", **args)[0] is False
    assert problem("boolean", "maybe", **args).rule == "map/invalid-boolean"
    assert problem("boolean", "y", **args, case_sensitive=True).rule == "map/invalid-boolean"


@pytest.mark.parametrize(("text", "expected"), [("12", 12), (" -3 ", -3), ("+7", 7)])
def test_integer(text: str, expected: int) -> None:
    assert run("integer", text)[0] == expected


@pytest.mark.parametrize("text", ["1.5", "1_000", "1e3", "١٢", "12a", "9" * 30])
def test_integer_refuses(text: str) -> None:
    assert problem("integer", text).rule == "map/invalid-integer"


def test_text_transforms_apply_to_lists_too() -> None:
    assert run("strip", "  a b ")[0] == "a b"
    assert run("upper", ["ab", "c"])[0] == ["AB", "C"]
    assert run("lower", "AB")[0] == "ab"
    assert run("collapse_spaces", " a \t b\n")[0] == "a b"
    assert run("remove_spaces", " A 1 2 ")[0] == "A12"


def test_split_and_concat() -> None:
    assert run("split", " Mary   Jane ")[0] == ["Mary", "Jane"]
    assert run("split", "1 High St, , Town ", separator=",")[0] == ["1 High St", "Town"]
    assert run("split", "a;b;c", separator=";", max_parts=2)[0] == ["a", "b;c"]
    assert run("split", ["already", "a list"])[0] == ["already", "a list"]
    assert run("concat", ["a ", "", " b"])[0] == "a b"
    assert run("concat", ["a", "b"], separator="-")[0] == "a-b"
    assert run("concat", "text")[0] == "text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sw1a1aa", "SW1A 1AA"), (" SW1A   1AA ", "SW1A 1AA"), ("abc 1", "ABC 1"), ("R1  1", "R1 1"), ("x", "X")],
)
def test_postcode_normalises_full_postcodes_and_keeps_partial_ones(text: str, expected: str) -> None:
    assert run("postcode", text)[0] == expected


def test_nhs_number_and_coding() -> None:
    assert run("nhs_number", "943 476-5919")[0] == "9434765919"
    assert run("coding", "WBRI", system="urn:x")[0] == {"system": "urn:x", "code": "WBRI"}


@pytest.mark.parametrize(
    ("value", "named"),
    [("U7", True), ("X", True), ("PN9", True), ("E4C", True), ("WBR", True), ("SMITH", False), ("ANNA", False),
     ("01/02/2010", False), ("John Smith", False), ("a" * 40, False)],
)  # fmt: skip
def test_describe_code_names_codes_but_never_free_text(value: str, named: bool) -> None:
    assert (value in describe_code(value)) is named
