"""Fuzzy name search for the directory: phonetic search keys, and a similarity score to rank candidates.

Names are normalised and coded by the duplicate-matching engine's functions (``gateway.matching.names``:
letters only, accents folded, metaphone codes, the UK nickname table), so the directory and identity
resolution agree on what "the same name" means. Each stored name gives keys:

* ``f:<metaphone>`` for the family name and each part of a double-barrelled one;
* ``g:<metaphone of given>|<metaphone of family>`` for each given name (a nickname counts as each formal
  name it stands for: Bill -> William) with the family name and each of its parts.

A search looks up the keys of the name asked for (``g:`` keys when a given name is asked for, else ``f:``
keys), then ranks the candidates with Jaro-Winkler similarity (rapidfuzz) and drops weak ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from rapidfuzz.distance import JaroWinkler

from gateway.matching.names import compact_name, load_nicknames, name_parts, phonetic
from gateway.model import PersonName

__all__ = ["FAMILY_THRESHOLD", "GIVEN_THRESHOLD", "NameMatcher", "index_keys", "name_score", "query_keys"]

FAMILY_THRESHOLD: Final = 0.82
"""Minimum Jaro-Winkler similarity of the family name (Smith/Smyth 0.89, Smith/Jones 0.0)."""
GIVEN_THRESHOLD: Final = 0.78
"""Minimum similarity of the given name, unless the two are forms of one name (Bill/William)."""


def _family_codes(family: str) -> set[str]:
    compact = compact_name(family)
    codes = {phonetic(compact), *(phonetic(part) for part in name_parts(family))}
    return codes - {""}


def _given_codes(given: str) -> set[str]:
    compact = compact_name(given)
    if not compact:
        return set()
    forms = load_nicknames().canonical(compact)
    return {phonetic(form) for form in (compact, *forms)} - {""}


def _keys(family: str | None, givens: Iterable[str]) -> set[str]:
    if not family:
        return set()
    families = _family_codes(family)
    keys = {f"f:{code}" for code in families}
    for given in givens:
        for given_code in _given_codes(given):
            keys.update(f"g:{given_code}|{code}" for code in families)
    return keys


def index_keys(names: Iterable[PersonName]) -> set[str]:
    """Every search key of a child's names (usual, former, preferred and aliases). Keys fit 64 characters.

    A name recorded without given names (a former surname, typically) is keyed with the given names of the
    child's other names, so "Mary Brown" finds Mary Smith-Jones whose former surname was Brown.
    """
    listed = list(names)
    all_given = [given for name in listed for given in name.given]
    keys: set[str] = set()
    for name in listed:
        keys |= _keys(name.family, name.given or all_given)
    return {key[:64] for key in keys}


def query_keys(family: str, given: str | None) -> set[str]:
    """The keys to look up for a search by ``family`` (and optionally ``given``) name."""
    keys = _keys(family, [given] if given else [])
    wanted = "g:" if given and _given_codes(given) else "f:"
    return {key[:64] for key in keys if key.startswith(wanted)}


def _similarity(a: str, b: str) -> float:
    return float(JaroWinkler.normalized_similarity(a, b)) if a and b else 0.0


class NameMatcher:
    """Scores stored names against the name asked for; the asked name is prepared once per search."""

    def __init__(self, family: str, given: str | None) -> None:
        self._family_forms = tuple(dict.fromkeys((compact_name(family), *name_parts(family))))
        self._given = compact_name(given) if given else None
        self._nicknames = load_nicknames()

    def _family_score(self, family: str | None) -> float:
        if not family:
            return 0.0
        forms = (compact_name(family), *name_parts(family))
        return max(_similarity(asked, form) for asked in self._family_forms for form in forms)

    def _given_score(self, givens: Iterable[str]) -> float:
        asked = self._given or ""
        best = 0.0
        for given in givens:
            compact = compact_name(given)
            if compact and self._nicknames.same_name(asked, compact):
                return 1.0
            best = max(best, _similarity(asked, compact))
        return best

    def score(self, names: Iterable[PersonName | tuple[str | None, Sequence[str]]]) -> float | None:
        """How well the best of ``names`` matches (0..1), or ``None`` when none is close.

        ``names`` are :class:`PersonName` values or ``(family, given names)`` pairs (the stored JSON, unparsed).
        """
        pairs = [(name.family, name.given) if isinstance(name, PersonName) else name for name in names]
        all_given = [given for _, givens in pairs for given in givens]
        best: float | None = None
        for their_family, givens in pairs:
            family_score = self._family_score(their_family)
            if family_score < FAMILY_THRESHOLD:
                continue
            score = family_score
            if self._given:
                # As index_keys: a name recorded without given names takes the child's other given names.
                given_score = self._given_score(givens or all_given)
                if given_score < GIVEN_THRESHOLD:
                    continue
                score = 0.6 * family_score + 0.4 * given_score
            best = score if best is None else max(best, score)
        return best


def name_score(
    family: str, given: str | None, names: Iterable[PersonName | tuple[str | None, Sequence[str]]]
) -> float | None:
    """How well the best of ``names`` matches the name asked for (0..1), or ``None`` when none is close."""
    return NameMatcher(family, given).score(names)
