"""Explanations a practitioner can read: one short sentence per compared field, with its weight.

Sentences name fields and how they agree, never the values ("surname differs by one letter", not the two
surnames). Even so, explanations are about a particular child and are shown to the people deciding a
review or written to a report the user asked for; they are never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gateway.matching.comparisons import FIELDS, LEVELS, MISSING, Comparison
from gateway.matching.model import MatchModel

__all__ = ["FieldExplanation", "explain", "render"]

_TEXT: Final[dict[str, dict[str, str]]] = {
    "given_name": {
        "exact": "given name agrees",
        "nickname": "given names are forms of the same name (nickname)",
        "close/one-letter": "given name differs by one letter",
        "close/spelling": "given name is spelt similarly",
        "close/phonetic": "given names sound alike",
        "close/nickname": "given names are forms of the same name, one misspelt",
        "close/swapped": "given and family names appear swapped",
        "exact/swapped": "given and family names appear swapped",
        "partial/initial": "given name agrees with an initial only",
        "partial/middle": "given name agrees with a middle name",
        "partial/similar": "given names share an initial and are alike",
        "differs": "given names differ",
        "missing": "given name missing on one side",
    },
    "family_name": {
        "exact": "surname agrees",
        "exact/former": "surname agrees with a former surname",
        "exact/swapped": "",
        "close/swapped": "",
        "part": "surname agrees with part of a double-barrelled surname",
        "close/one-letter": "surname differs by one letter",
        "close/spelling": "surname is spelt similarly",
        "close/phonetic": "surnames sound alike",
        "differs": "surnames differ",
        "missing": "surname missing on one side",
    },
    "birth_date": {
        "exact": "birth date agrees",
        "swapped": "birth date agrees with day and month swapped",
        "typo/one-digit": "birth date differs by one digit",
        "typo/transposed": "birth date has two digits transposed",
        "differs": "birth dates differ",
        "missing": "birth date missing on one side",
    },
    "sex": {"agrees": "sex agrees", "differs": "sex differs", "missing": "sex not known on one side"},
    "address": {
        "same": "address agrees",
        "same/earlier": "address agrees with an earlier address",
        "postcode": "postcode agrees, first line of address differs or is missing",
        "postcode/earlier": "postcode agrees with an earlier postcode",
        "line": "first line of address agrees, postcode differs or is missing",
        "line/earlier": "first line of address agrees with an earlier address, postcode differs or is missing",
        "sector": "same postcode sector, different address",
        "sector/earlier": "same postcode sector as an earlier address",
        "differs": "addresses differ",
        "missing": "address missing on one side",
    },
    "nhs_number": {
        "exact": "NHS number agrees",
        "typo/one-digit": "NHS numbers differ by one digit (invalid on one side: a typing error?)",
        "typo/transposed": "NHS numbers differ by two transposed digits (invalid on one side)",
        "differs": "NHS numbers differ",
        "missing": "NHS number missing on one side",
    },
    "upn": {
        "exact": "UPN agrees",
        "exact/former": "UPN agrees with a former UPN",
        "typo/one-digit": "UPNs differ by one character (invalid on one side: a typing error?)",
        "typo/transposed": "UPNs differ by two transposed characters (invalid on one side)",
        "differs": "UPNs differ",
        "missing": "UPN missing on one side",
    },
    "local_id": {
        "exact": "council's child id agrees",
        "differs": "different child ids at the same council",
        "missing": "",
    },
    "carers": {
        "agree": "a carer's name agrees",
        "partial": "a carer's name partly agrees",
        "differs": "carers' names differ",
        "missing": "",
    },
}


@dataclass(frozen=True, slots=True)
class FieldExplanation:
    """How one field compared, in words, and what it added to the weight."""

    field: str
    level: str
    text: str
    weight: float


def _sentence(field: str, level: str, note: str) -> str:
    table = _TEXT[field]
    if note and f"{level}/{note}" in table:
        return table[f"{level}/{note}"]
    return table.get(level, f"{field.replace('_', ' ')}: {level}")


def explain(comparison: Comparison, model: MatchModel) -> tuple[FieldExplanation, ...]:
    """One explanation per field that has something to say, strongest evidence first."""
    items: list[FieldExplanation] = []
    for index, field in enumerate(FIELDS):
        level = comparison.levels[index]
        name = "missing" if level == MISSING else LEVELS[field][level]
        text = _sentence(field, name, comparison.notes[index])
        if text:
            items.append(FieldExplanation(field, name, text, model.field_weight(field, level)))
    return tuple(sorted(items, key=lambda item: -abs(item.weight)))


def render(items: tuple[FieldExplanation, ...], extra: tuple[str, ...] = ()) -> str:
    """``birth date agrees; surname differs by one letter; NHS number missing on one side``."""
    return "; ".join((*extra, *(item.text for item in items)))
