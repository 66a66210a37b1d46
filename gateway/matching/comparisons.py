"""Field comparisons: how far two records agree on each identity field, as a *level* per field.

Each field has ordered levels, best first (``LEVELS``); ``MISSING`` (-1) means at least one side has no
value, which is neither evidence for nor against. A :class:`Comparison` also keeps a short note code per
field (``nickname``, ``one-letter``, ``swapped`` ...) that the explanation turns into words. Comparisons are
symmetric: ``compare(a, b)`` and ``compare(b, a)`` give the same levels.

Built on rapidfuzz (Jaro-Winkler, optimal string alignment distance, indel ratio) and jellyfish (metaphone,
via :mod:`gateway.matching.names`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Hamming, JaroWinkler

from gateway.matching.features import PreparedAddress, PreparedName, PreparedRecord

__all__ = ["FIELDS", "LEVELS", "MISSING", "Comparison", "compare"]

FIELDS: Final = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "address",
    "nhs_number",
    "upn",
    "local_id",
    "carers",
)
"""The compared fields, in the order of :attr:`Comparison.levels`."""

LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "given_name": ("exact", "nickname", "close", "partial", "differs"),
    "family_name": ("exact", "part", "close", "differs"),
    "birth_date": ("exact", "swapped", "typo", "differs"),
    "sex": ("agrees", "differs"),
    "address": ("same", "postcode", "line", "sector", "differs"),
    "nhs_number": ("exact", "typo", "differs"),
    "upn": ("exact", "typo", "differs"),
    "local_id": ("exact", "differs"),
    "carers": ("agree", "partial", "differs"),
}
"""Level names per field, best first. A level is the index into this tuple."""

MISSING: Final = -1
"""The level of a field that at least one side lacks."""

_CLOSE: Final = 0.9  # Jaro-Winkler similarity that counts as a spelling variant
_SIMILAR: Final = 0.8  # Jaro-Winkler similarity (with the same initial) of a partly agreeing given name
_LINE_RATIO: Final = 85.0  # indel ratio (0-100) of street names that counts as the same street

GIVEN, FAMILY, BIRTH, SEX, ADDRESS, NHS, UPN, LOCAL, CARERS = range(len(FIELDS))


@dataclass(frozen=True, slots=True)
class Comparison:
    """The levels (one per field of ``FIELDS``) and note codes of one pair of records."""

    levels: tuple[int, ...]
    notes: tuple[str, ...]

    def level(self, field: str) -> int:
        return self.levels[FIELDS.index(field)]

    def level_name(self, field: str) -> str:
        """The level's name, or ``missing``."""
        level = self.level(field)
        return "missing" if level == MISSING else LEVELS[field][level]


def _meet(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return any(x in b for x in a)


def _spelling(a: str, b: str) -> str:
    return "one-letter" if OSA.distance(a, b) == 1 else "spelling"


def _close_names(a: str, b: str) -> bool:
    """A spelling variant: Jaro-Winkler >= 0.9, or one letter apart (short names score low on Jaro-Winkler)."""
    if len(a) < 2 or len(b) < 2:
        return False
    if JaroWinkler.similarity(a, b) >= _CLOSE:
        return True
    return len(a) > 2 and len(b) > 2 and OSA.distance(a, b, score_cutoff=1) <= 1


def _given(a: PreparedName, b: PreparedName) -> tuple[int, str]:
    if not a.given or not b.given:
        return MISSING, ""
    if a.given == b.given:
        return 0, ""
    if _meet(a.given_forms, b.given_forms):
        return 1, "nickname"
    long_names = len(a.given) > 1 and len(b.given) > 1
    similarity = JaroWinkler.similarity(a.given, b.given) if long_names else 0.0
    if similarity >= _CLOSE or (
        long_names and len(a.given) > 2 and len(b.given) > 2 and OSA.distance(a.given, b.given, score_cutoff=1) <= 1
    ):
        return 2, _spelling(a.given, b.given)
    if long_names and a.given_phonetic == b.given_phonetic:
        return 2, "phonetic"
    if not long_names and a.initial == b.initial:
        return 3, "initial"
    if a.given in b.middles or b.given in a.middles:
        return 3, "middle"
    if similarity >= _SIMILAR and a.initial == b.initial:
        return 3, "similar"
    return 4, ""


def _nickname_with_typo(a: PreparedName, b: PreparedName) -> bool:
    """A nickname misspelt (``Olly``/``Oliver`` written ``Okly``): close to a form in the other's name family."""
    return any(_close_names(a.given, form) for form in b.given_family if form != b.given) or any(
        _close_names(b.given, form) for form in a.given_family if form != a.given
    )


def _family(a: PreparedName, b: PreparedName) -> tuple[int, str]:
    if not a.family or not b.family:
        return MISSING, ""
    if a.family == b.family:
        return 0, "former" if a.former or b.former else ""
    if b.family in a.family_parts or a.family in b.family_parts or _meet(a.family_parts, b.family_parts):
        return 1, "part"
    if _close_names(a.family, b.family):
        return 2, _spelling(a.family, b.family)
    if a.family_phonetic and a.family_phonetic == b.family_phonetic:
        return 2, "phonetic"
    return 3, ""


def _swapped(a: PreparedName, b: PreparedName) -> tuple[int, int] | None:
    """Levels when ``a``'s given name is ``b``'s family name and vice versa, else ``None``."""
    if not (a.given and a.family and b.given and b.family):
        return None
    if a.given[0] != b.family[0] or a.family[0] != b.given[0]:
        return None  # cheap test first: swapped names keep their initials
    given = 0 if a.given == b.family else 2 if _close_names(a.given, b.family) else None
    family = 0 if a.family == b.given else 2 if _close_names(a.family, b.given) else None
    if given is None or family is None:
        return None
    worse = max(given, family)  # the same for (a, b) and (b, a): comparisons stay symmetric
    return worse, worse


def _names(a: PreparedRecord, b: PreparedRecord) -> tuple[int, str, int, str]:
    best_given: tuple[int, str] = (MISSING, "")
    best_family: tuple[int, str] = (MISSING, "")
    for x in a.names:
        for y in b.names:
            given = _given(x, y)
            if given[0] != MISSING and (best_given[0] == MISSING or given[0] < best_given[0]):
                best_given = given
            family = _family(x, y)
            if family[0] != MISSING and (best_family[0] == MISSING or family[0] < best_family[0]):
                best_family = family
    if best_given[0] >= 3 and 0 <= best_family[0] <= 2:
        # Only worth the cost when the surname agrees: a nickname with a typo.
        for x in a.names:
            for y in b.names:
                if x.given and y.given and _nickname_with_typo(x, y):
                    best_given = (2, "nickname")
                    break
    if best_given[0] >= 3 and best_family[0] >= 2:
        for x in a.names:
            for y in b.names:
                swapped = _swapped(x, y)
                if swapped is not None:
                    return swapped[0], "swapped", swapped[1], "swapped"
    return best_given[0], best_given[1], best_family[0], best_family[1]


def _birth(a: str, b: str) -> tuple[int, str]:
    if not a or not b:
        return MISSING, ""
    if a == b:
        return 0, ""
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return 1, "swapped"
    if OSA.distance(a, b) == 1:
        return 2, "one-digit" if Hamming.distance(a, b) == 1 else "transposed"
    return 3, ""


def _same_line(x: PreparedAddress, y: PreparedAddress) -> bool:
    if not x.line or not y.line or x.number != y.number:
        return False
    return x.street == y.street or fuzz.ratio(x.street, y.street) >= _LINE_RATIO


def _address(a: PreparedRecord, b: PreparedRecord) -> tuple[int, str]:
    best, note = MISSING, ""
    for i, x in enumerate(a.addresses):
        for j, y in enumerate(b.addresses):
            same_postcode = bool(x.postcode) and x.postcode == y.postcode
            same_line = _same_line(x, y)
            if same_postcode and same_line:
                level = 0
            elif same_postcode:
                level = 1
            elif same_line:
                level = 2
            elif x.sector and x.sector == y.sector:
                level = 3
            elif (x.postcode and y.postcode) or (x.line and y.line):
                level = 4
            else:
                continue
            if best == MISSING or level < best:
                best, note = level, "earlier" if (i or j) and level < 4 else ""
    return best, note


def _identifier(a: str, b: str, a_valid: bool, b_valid: bool) -> tuple[int, str]:
    if a == b:
        return 0, ""
    if not (a_valid and b_valid) and len(a) == len(b) and OSA.distance(a, b) == 1:
        return 1, "one-digit" if Hamming.distance(a, b) == 1 else "transposed"
    return 2, ""


def _upn(a: PreparedRecord, b: PreparedRecord) -> tuple[int, str]:
    if not a.upns or not b.upns:
        return MISSING, ""
    best: tuple[int, str] = (2, "")
    for i, (x, x_valid) in enumerate(zip(a.upns, a.upns_valid, strict=True)):
        for j, (y, y_valid) in enumerate(zip(b.upns, b.upns_valid, strict=True)):
            level, note = _identifier(x, y, x_valid, y_valid)
            if level == 0 and (i or j):
                note = "former"
            if level < best[0]:
                best = (level, note)
    return best


def _carers(a: PreparedRecord, b: PreparedRecord) -> tuple[int, str]:
    if not a.carers or not b.carers:
        return MISSING, ""
    best = 2
    for x in a.carers:
        for y in b.carers:
            same_family = bool(x.family) and x.family == y.family
            same_given = _meet(x.given_forms, y.given_forms)
            if same_family and same_given:
                return 0, ""
            if same_family or (same_given and len(x.given) > 1):
                best = 1
    return best, ""


def compare(a: PreparedRecord, b: PreparedRecord) -> Comparison:
    """Compare two prepared records field by field."""
    given, given_note, family, family_note = _names(a, b)
    birth, birth_note = _birth(a.birth_digits, b.birth_digits)
    sex = MISSING if not a.sex or not b.sex else (0 if a.sex == b.sex else 1)
    address, address_note = _address(a, b)
    if a.nhs_number and b.nhs_number:
        nhs, nhs_note = _identifier(a.nhs_number, b.nhs_number, a.nhs_valid, b.nhs_valid)
    else:
        nhs, nhs_note = MISSING, ""
    upn, upn_note = _upn(a, b)
    if _meet(a.local_ids, b.local_ids):
        local = 0
    elif _meet(a.local_las, b.local_las):
        local = 1
    else:
        local = MISSING
    carers, carers_note = _carers(a, b)
    return Comparison(
        levels=(given, family, birth, sex, address, nhs, upn, local, carers),
        notes=(given_note, family_note, birth_note, "", address_note, nhs_note, upn_note, "", carers_note),
    )
