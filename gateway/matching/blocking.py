"""Blocking keys: which records are worth comparing. Several independent keys, so that one typo (or one
missing identifier, or a move of address) cannot hide a match:

========  ==========================================================  ====================================
prefix    key                                                         survives
========  ==========================================================  ====================================
``n:``    NHS number                                                  name changes, moves, date typos
``u:``    UPN (current and former)                                    the same
``l:``    LA number + LA child id                                     the same
``d:``    birth date with day and month in either order, sex, and     surname typos, moves, day/month
          the given name's initial (and its formal names' initials)    swaps
          (a record of unknown sex is looked up under M, F and U)
``s:``    surname (each part) metaphone + birth year and month         day typos, given-name changes
``g:``    {given (nickname -> formal name), surname} metaphones        date typos, swapped given/family
          + birth year
``h:``    given metaphone + surname initial + birth day and month      year typos with a surname typo
          (either order)
``i:``    given initial + surname (each part) metaphone + birth day    year typos with a given-name typo
          and month (either order)
``p:``    postcode (each address)                                     date and name typos
``g0:``   names as ``g:`` without a year (queried only by records      records without a birth date
          with no birth date)
``gu:``   names as ``g:`` without a year, stored only for records     a birth date missing on the
          without a birth date (queried by every record)              stored side
========  ==========================================================  ====================================

Keys are short strings; the in-memory index and the SQL index store them the same way.
"""

from __future__ import annotations

from gateway.matching.features import PreparedName, PreparedRecord
from gateway.matching.names import phonetic

__all__ = ["index_keys", "query_keys"]


def _canonical_given(name: PreparedName) -> tuple[str, ...]:
    if not name.given:
        return ()
    formal = tuple(form for form in name.given_forms if form != name.given)
    return formal or (name.given,)


def _name_keys(record: PreparedRecord) -> tuple[set[str], set[str]]:
    """(``g:`` and ``s:`` keys, ``g0:`` keys)."""
    dated: set[str] = set()
    undated: set[str] = set()
    digits = record.birth_digits
    year = digits[:4]
    year_month = digits[:6]
    day_month = "".join(sorted((digits[4:6], digits[6:8]))) if digits else ""
    for name in record.names:
        families = {name.family_phonetic, *(phonetic(part) for part in name.family_parts)} - {""}
        givens = {phonetic(g) for g in _canonical_given(name)} - {""}
        if day_month and name.family:
            dated.update(f"h:{given}:{name.family[0]}:{day_month}" for given in givens)
        for family in families:
            if day_month and name.initial:
                dated.add(f"i:{name.initial}:{family}:{day_month}")
            if year_month:
                dated.add(f"s:{family}:{year_month}")
            for given in givens:
                pair = "|".join(sorted((given, family)))
                undated.add(f"g0:{pair}")
                if year:
                    dated.add(f"g:{pair}:{year}")
    return dated, undated


def _common_keys(record: PreparedRecord) -> set[str]:
    keys: set[str] = set()
    if record.nhs_number:
        keys.add(f"n:{record.nhs_number}")
    keys.update(f"u:{upn}" for upn in record.upns)
    keys.update(f"l:{local}" for local in record.local_ids)
    digits = record.birth_digits
    if digits:
        low, high = sorted((digits[4:6], digits[6:8]))
        initials = {g[0] for name in record.names for g in (*_canonical_given(name), name.given) if g} or {"-"}
        keys.update(f"d:{digits[:4]}{low}{high}:{initial}:{record.sex or 'U'}" for initial in initials)
    keys.update(f"p:{address.postcode.replace(' ', '')}" for address in record.addresses if address.postcode)
    return keys


def _without_birth(undated: set[str]) -> set[str]:
    return {"gu:" + key[3:] for key in undated}


def index_keys(record: PreparedRecord) -> tuple[str, ...]:
    """Every key a record is stored under (computed once per prepared record)."""
    found = record.memo.get("index")
    if found is None:
        found = record.memo["index"] = _index_keys(record)
    return found


def _index_keys(record: PreparedRecord) -> tuple[str, ...]:
    dated, undated = _name_keys(record)
    keys = _common_keys(record) | dated | undated
    if not record.birth_digits:
        keys |= _without_birth(undated)
    return tuple(sorted(keys))


def _any_sex(keys: set[str]) -> set[str]:
    """Birth-date keys for other sexes: a record of known sex also meets records of unknown sex, and vice versa."""
    out: set[str] = set()
    for key in keys:
        if key.startswith("d:"):
            stem = key[:-1]
            out.update((stem + "U",) if key[-1] != "U" else (stem + "M", stem + "F"))
    return out


def query_keys(record: PreparedRecord) -> tuple[str, ...]:
    """The keys to look a record's candidates up by (``g0:`` only when the record has no birth date); computed
    once per prepared record."""
    found = record.memo.get("query")
    if found is None:
        found = record.memo["query"] = _query_keys(record)
    return found


def _query_keys(record: PreparedRecord) -> tuple[str, ...]:
    dated, undated = _name_keys(record)
    common = _common_keys(record)
    keys = common | _any_sex(common) | dated | _without_birth(undated)
    if not record.birth_digits:
        keys |= undated
    return tuple(sorted(keys))
