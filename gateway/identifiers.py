"""National and local identifiers for children in England, with the exact published algorithms.

* **NHS number** — 10 digits; weights 10..2 on digits 1-9; check digit ``11 - (sum mod 11)``, where 11
  means 0 and 10 means the number is invalid. (``9434765919`` is valid; the UK Core example
  ``9912003890`` is *not* — its check digit should be 6.)
* **UPN** (Unique Pupil Number, DfE; ``A950000178301`` and ``X00180001701A`` are valid) — 13
  characters: a check letter; the DfE LA number (characters 2-4);
  eight digits (5-12); a final digit, or for a *temporary* UPN a letter (A-Z without I, O and S). The
  check letter is ``ALPHABET[sum(value(c_p) * p for p in 2..13) mod 23]`` with
  ``ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"``, where a temporary UPN's final letter counts as its index in
  that alphabet. (``B207000016049`` needs the letter ``P``; a widely copied help page says ``Q``.)
* **UPN unknown reasons** ``UN1``..``UN7``; **LA child id** up to 20 letters and digits; **UK postcode**.

Validity of an identifier is a *conformance rule*, not a parse failure: these functions never raise on bad
input, they answer ``False`` or list the problems.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

__all__ = [
    "DFE_LA_NUMBER_RANGES",
    "UPN_ALPHABET",
    "UPN_UNKNOWN_REASONS",
    "UpnProblem",
    "is_temporary_upn",
    "is_valid_la_child_id",
    "is_valid_la_number",
    "is_valid_nhs_number",
    "is_valid_uk_postcode",
    "is_valid_upn",
    "is_valid_upn_unknown_reason",
    "nhs_number_check_digit",
    "normalise_nhs_number",
    "normalise_postcode",
    "postcode_sector",
    "upn_check_letter",
    "upn_la_number_recognised",
    "upn_problems",
]

UPN_ALPHABET: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 letters used for UPN check letters and temporary-UPN final letters (no I, O, S)."""

# DfE "post April 1998 LA codes and recognised pseudo-LA codes" accepted in UPN characters 2-4, as listed
# in the DfE CIN census validation specification for rule 1530 (inclusive ranges), plus 942 and 943
# (Cumberland; Westmorland and Furness), created on 1 April 2023.
DFE_LA_NUMBER_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (1, 5), (201, 213), (301, 320), (330, 336), (340, 344), (350, 359), (370, 373), (380, 384),
    (390, 394), (420, 420), (660, 681), (701, 708), (800, 803), (805, 808), (810, 813), (815, 816),
    (820, 823), (825, 826), (830, 831), (835, 841), (845, 846), (850, 852), (855, 857), (860, 861),
    (865, 896), (908, 909), (916, 916), (919, 919), (921, 921), (925, 926), (928, 929), (931, 931),
    (933, 933), (935, 938), (940, 943),
)  # fmt: skip

UPN_UNKNOWN_REASONS: Final[dict[str, str]] = {
    "UN1": "Child is aged under 6 years old and is not yet attending school",
    "UN2": "Child has never attended school in England and so has never been assigned a UPN",
    "UN3": "Child is educated outside of school (home education) and has no UPN",
    "UN4": "Child newly received by the local authority and the UPN is not yet known",
    "UN5": "Sources collating UPNs reflect UPN not yet allocated",
    "UN6": "Child is unborn",
    "UN7": "Referral with no further action",
}
"""DfE reasons a child's UPN is unknown (CIN census ``UPNunknown``)."""

_NHS_WEIGHTS: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_LA_CHILD_ID = re.compile(r"[A-Za-z0-9]{1,20}")
# The full UK postcode grammar (BS 7666 shapes, with the special GIR 0AA), case-insensitive, one space.
_POSTCODE = re.compile(
    r"(GIR 0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})"
)


# --- NHS number -----------------------------------------------------------------------------------------


def normalise_nhs_number(value: str) -> str:
    """Remove the spaces and hyphens people type (``943 476 5919``); nothing else is changed."""
    return value.replace(" ", "").replace("-", "")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or ``None`` when no check digit exists (remainder 10)."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError("nhs_number_check_digit needs exactly nine ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """True when ``value`` (spaces/hyphens allowed) is ten digits with a correct modulus-11 check digit."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    expected = nhs_number_check_digit(digits[:9])
    return expected is not None and expected == int(digits[9])


# --- UPN ------------------------------------------------------------------------------------------------


class UpnProblem(StrEnum):
    """What is wrong with a UPN; the values are the DfE CIN census rule codes that report each."""

    LENGTH = "length"
    CHECK_LETTER = "1510"
    LA_NUMBER = "1530"
    NOT_NUMERIC = "1540"
    FINAL_CHARACTER = "1550"


def is_valid_la_number(code: str) -> bool:
    """True when ``code`` is three digits naming a DfE LA (or recognised pseudo-LA) number."""
    return code in _DFE_LA_NUMBERS


_DFE_LA_NUMBERS: Final = frozenset(
    f"{number:03d}" for low, high in DFE_LA_NUMBER_RANGES for number in range(low, high + 1)
)
"""The recognised LA numbers as the three characters a UPN or return carries (looked up once per UPN by
several DfE rules in turn, so a set rather than a walk over the ranges)."""
_UPN_DIGIT_VALUES: Final = {str(digit): digit for digit in range(10)}
_UPN_FINAL_VALUES: Final = {**_UPN_DIGIT_VALUES, **{letter: value for value, letter in enumerate(UPN_ALPHABET)}}


def upn_check_letter(body: str) -> str:
    """The check letter for UPN characters 2-13 (``body``, 12 characters, last may be a letter).

    >>> upn_check_letter("207000016049")
    'P'
    """
    if len(body) != 12:
        raise ValueError("upn_check_letter needs the 12 characters after the check letter")
    digits = _UPN_DIGIT_VALUES
    total = 0
    for position, char in enumerate(body[:11], start=2):
        value = digits.get(char)
        if value is None:
            raise ValueError("UPN characters 2-12 must be digits and character 13 a digit or a UPN letter")
        total += value * position
    final = _UPN_FINAL_VALUES.get(body[11])
    if final is None:
        raise ValueError("UPN characters 2-12 must be digits and character 13 a digit or a UPN letter")
    return UPN_ALPHABET[(total + final * 13) % 23]


def upn_problems(value: str) -> tuple[UpnProblem, ...]:
    """Every problem with ``value`` as a UPN, in DfE rule order; empty when the UPN is valid."""
    if len(value) != 13:
        return (UpnProblem.LENGTH,)
    problems: list[UpnProblem] = []
    numeric = value[4:12].isascii() and value[4:12].isdigit()
    final_ok = value[12] in _UPN_FINAL_VALUES
    la_ok = value[1:4] in _DFE_LA_NUMBERS
    body_ok = numeric and final_ok and value[1:4].isascii() and value[1:4].isdigit()
    if not body_ok or value[0] != upn_check_letter(value[1:]):
        problems.append(UpnProblem.CHECK_LETTER)
    if not la_ok:
        problems.append(UpnProblem.LA_NUMBER)
    if not numeric:
        problems.append(UpnProblem.NOT_NUMERIC)
    if not final_ok:
        problems.append(UpnProblem.FINAL_CHARACTER)
    return tuple(problems)


def is_valid_upn(value: str) -> bool:
    """True when ``value`` is a well-formed UPN (permanent or temporary) with the right check letter.

    Whether characters 2-4 name a *currently recognised* LA is a separate question (DfE rule 1530,
    :func:`upn_la_number_recognised`): the LA list changes with local-government reorganisation, and a
    UPN issued under an old number stays the child's UPN.
    """
    return not any(problem is not UpnProblem.LA_NUMBER for problem in upn_problems(value))


def upn_la_number_recognised(value: str) -> bool:
    """True when UPN characters 2-4 are a recognised DfE LA (or pseudo-LA) number."""
    return len(value) == 13 and is_valid_la_number(value[1:4])


def is_temporary_upn(value: str) -> bool:
    """True when ``value`` is a valid UPN whose final character is a letter (a temporary UPN)."""
    return is_valid_upn(value) and value[12].isalpha()


def is_valid_upn_unknown_reason(value: str) -> bool:
    """True for the DfE reasons ``UN1``..``UN7``."""
    return value in UPN_UNKNOWN_REASONS


# --- local ids and postcodes -----------------------------------------------------------------------------


def is_valid_la_child_id(value: str) -> bool:
    """True when ``value`` is 1-20 ASCII letters and digits (the DfE ``LAchildID`` format)."""
    return _LA_CHILD_ID.fullmatch(value) is not None


def normalise_postcode(value: str) -> str:
    """Upper-case, collapse spaces, and put the single space before the inward code (``sw1a1aa`` -> ``SW1A 1AA``)."""
    compact = "".join(value.split()).upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_uk_postcode(value: str) -> bool:
    """True when ``value`` (any case and spacing) has the shape of a UK postcode."""
    return _POSTCODE.fullmatch(normalise_postcode(value)) is not None


def postcode_sector(value: str) -> str | None:
    """The postcode sector (outward code and first inward digit, ``SW1A 1``), or ``None`` if malformed."""
    if not is_valid_uk_postcode(value):
        return None
    return normalise_postcode(value)[:-2]
