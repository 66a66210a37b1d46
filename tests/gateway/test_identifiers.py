"""Identifier algorithms: the worked examples in DESIGN.md, the published mistakes, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.identifiers import (
    UPN_ALPHABET,
    UpnProblem,
    is_temporary_upn,
    is_valid_la_child_id,
    is_valid_la_number,
    is_valid_nhs_number,
    is_valid_uk_postcode,
    is_valid_upn,
    is_valid_upn_unknown_reason,
    nhs_number_check_digit,
    normalise_postcode,
    postcode_sector,
    upn_check_letter,
    upn_la_number_recognised,
    upn_problems,
)

# --- NHS number ------------------------------------------------------------------------------------------


def test_worked_example_nhs_number_is_valid() -> None:
    assert is_valid_nhs_number("9434765919")
    assert nhs_number_check_digit("943476591") == 9


def test_uk_core_example_nhs_number_is_invalid_and_should_end_in_6() -> None:
    # The UK Core BabyPatient example carries 9912003890, which fails modulus 11.
    assert not is_valid_nhs_number("9912003890")
    assert nhs_number_check_digit("991200389") == 6
    assert is_valid_nhs_number("9912003896")


def test_nhs_number_accepts_typed_spacing_but_nothing_else() -> None:
    assert is_valid_nhs_number("943 476 5919")
    assert is_valid_nhs_number("943-476-5919")
    assert not is_valid_nhs_number("943476591")  # nine digits
    assert not is_valid_nhs_number("94347659190")  # eleven digits
    assert not is_valid_nhs_number("943476591X")
    assert not is_valid_nhs_number("９４３４７６５９１９")  # full-width digits are not ASCII digits
    assert not is_valid_nhs_number("")


def test_remainder_ten_means_no_valid_check_digit() -> None:
    # 000000060: sum = 6*3 = 18 -> 18 mod 11 = 7 -> 11 - 7 = 4 (valid); find a body whose check would be 10.
    bodies = [f"{n:09d}" for n in range(0, 200)]
    impossible = [body for body in bodies if nhs_number_check_digit(body) is None]
    assert impossible, "some nine-digit bodies have no valid check digit"
    for body in impossible:
        assert not any(is_valid_nhs_number(body + str(digit)) for digit in range(10))


def test_remainder_zero_gives_check_digit_zero() -> None:
    assert nhs_number_check_digit("000000000") == 0
    assert is_valid_nhs_number("0000000000")


def test_check_digit_needs_nine_digits() -> None:
    with pytest.raises(ValueError, match="nine"):
        nhs_number_check_digit("12345")


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(nine_digits)
def test_generated_nhs_number_validates(body: str) -> None:
    check = nhs_number_check_digit(body)
    if check is None:
        assert not any(is_valid_nhs_number(body + str(d)) for d in range(10))
    else:
        assert is_valid_nhs_number(body + str(check))


@given(nine_digits, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_detected(body: str, position: int, delta: int) -> None:
    check = nhs_number_check_digit(body)
    if check is None:
        return
    number = body + str(check)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert changed != number
    assert not is_valid_nhs_number(changed)


# --- UPN -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["A950000178301", "X00180001701A"])
def test_worked_example_upns_are_valid(upn: str) -> None:
    assert is_valid_upn(upn)
    assert UpnProblem.CHECK_LETTER not in upn_problems(upn)


def test_la_number_recognition_is_a_separate_question() -> None:
    # 950 is not on the DfE LA list used by rule 1530, though the UPN itself is well formed.
    assert upn_problems("A950000178301") == (UpnProblem.LA_NUMBER,)
    assert not upn_la_number_recognised("A950000178301")
    assert upn_la_number_recognised("X00180001701A")  # 001-005 are recognised pseudo-LA numbers
    assert upn_problems("X00180001701A") == ()


def test_temporary_upn_final_letter_counts_as_its_alphabet_index() -> None:
    assert is_temporary_upn("X00180001701A")
    assert not is_temporary_upn("A950000178301")
    # Same body with final letter B (index 1) adds 13 to the sum: check letter moves 13 places.
    expected = UPN_ALPHABET[(UPN_ALPHABET.index("X") + 13) % 23]
    assert upn_check_letter("00180001701B") == expected


def test_widely_copied_help_page_example_needs_p_not_q() -> None:
    assert upn_check_letter("207000016049") == "P"
    assert is_valid_upn("P207000016049")
    assert not is_valid_upn("Q207000016049")
    assert upn_problems("Q207000016049") == (UpnProblem.CHECK_LETTER,)


def test_upn_problems_name_the_dfe_rules() -> None:
    assert upn_problems("A95000017830") == (UpnProblem.LENGTH,)
    # characters 2-4 not an LA number (999): check letter recomputed so only 1530 fails
    body = "999000178301"
    assert upn_problems(upn_check_letter(body) + body) == (UpnProblem.LA_NUMBER,)
    assert is_valid_upn(upn_check_letter(body) + body)
    # characters 5-12 not numeric
    assert UpnProblem.NOT_NUMERIC in upn_problems("A9500001783X1")
    # character 13 must be a digit or a UPN letter (I, O, S are not)
    assert UpnProblem.FINAL_CHARACTER in upn_problems("A95000017830I")
    assert UpnProblem.FINAL_CHARACTER in upn_problems("A95000017830a")


def test_la_numbers_follow_the_dfe_list() -> None:
    for code in ("001", "005", "201", "213", "420", "826", "941", "942", "943"):
        assert is_valid_la_number(code), code
    for code in ("000", "006", "200", "214", "321", "804", "944", "950", "999", "20", "2011", "abc"):
        assert not is_valid_la_number(code), code


@given(
    st.sampled_from(["201", "301", "873", "938"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(list("0123456789") + list(UPN_ALPHABET)),
)
def test_generated_upn_validates_and_any_digit_change_is_detected(la: str, serial: str, final: str) -> None:
    body = la + serial + final
    upn = upn_check_letter(body) + body
    assert is_valid_upn(upn)
    for position in range(4, 12):  # the eight serial digits carry weights 5..12, all non-zero mod 23
        changed_digit = str((int(upn[position]) + 1) % 10)
        changed = upn[:position] + changed_digit + upn[position + 1 :]
        assert not is_valid_upn(changed)


def test_upn_unknown_reasons() -> None:
    assert all(is_valid_upn_unknown_reason(f"UN{n}") for n in range(1, 8))
    assert not is_valid_upn_unknown_reason("UN8")
    assert not is_valid_upn_unknown_reason("un1")


# --- local ids and postcodes -----------------------------------------------------------------------------


def test_la_child_id_is_up_to_twenty_letters_and_digits() -> None:
    assert is_valid_la_child_id("DEMO0001")
    assert is_valid_la_child_id("A" * 20)
    assert not is_valid_la_child_id("A" * 21)
    assert not is_valid_la_child_id("")
    assert not is_valid_la_child_id("ABC-123")
    assert not is_valid_la_child_id("ÅBC123")


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "sw1a1aa", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH"])
def test_valid_postcodes(postcode: str) -> None:
    assert is_valid_uk_postcode(postcode)


@pytest.mark.parametrize("postcode", ["", "SW1A", "QW1 1AA", "SW1A 1CA", "12345", "SW1A 1AAA", "EC1A-1BB"])
def test_invalid_postcodes(postcode: str) -> None:
    assert not is_valid_uk_postcode(postcode)


def test_postcode_normalisation_and_sector() -> None:
    assert normalise_postcode(" sw1a   1aa ") == "SW1A 1AA"
    assert postcode_sector("sw1a1aa") == "SW1A 1"
    assert postcode_sector("nonsense") is None
