"""Names: normalisation, phonetic codes and the UK nickname table."""

from __future__ import annotations

import pytest

from gateway.matching.names import NicknameTable, compact_name, load_nicknames, name_parts, normalise_name, phonetic


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Smith-Jones", "SMITH JONES"), ("  o'brien ", "OBRIEN"), ("Zoë", "ZOE"), ("Mary  Ann", "MARY ANN"), ("", "")],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_double_barrelled_parts_and_compact_form() -> None:
    assert name_parts("Smith-Jones") == name_parts("Smith Jones") == ("SMITH", "JONES")
    assert compact_name("Smith-Jones") == "SMITHJONES"


def test_phonetic_codes_agree_for_spelling_variants() -> None:
    assert phonetic("SMITH") == phonetic("SMYTH")
    assert phonetic("CATHERINE") == phonetic("KATHERINE")
    assert phonetic("") == ""


@pytest.mark.parametrize(
    ("first", "second"),
    [("BILL", "WILLIAM"), ("PEGGY", "MARGARET"), ("JACK", "JOHN"), ("BILL", "WILL"), ("LIZ", "BETH")],
)
def test_uk_nicknames_are_forms_of_one_name(first: str, second: str) -> None:
    table = load_nicknames()
    assert table.same_name(first, second)
    assert table.same_name(second, first)


def test_unrelated_names_are_not_forms_of_one_name() -> None:
    table = load_nicknames()
    assert not table.same_name("JACK", "WILLIAM")
    assert not table.same_name("OLIVER", "OLIVIA")


def test_a_nickname_may_stand_for_several_formal_names() -> None:
    table = load_nicknames()
    assert table.canonical("SANDY") == ("ALEXANDER", "ALEXANDRA")
    assert table.canonical("OLIVER") == ("OLIVER",)
    assert {"OLIVER", "OLLIE", "OLLY"} <= table.family("OLLY")


def test_table_from_pairs_normalises_spelling() -> None:
    table = NicknameTable.from_pairs([("William", "bill"), ("Mary-Ann", "Polly")])
    assert table.forms("BILL") == {"BILL", "WILLIAM"}
    assert table.forms("POLLY") == {"POLLY", "MARYANN"}
