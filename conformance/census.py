"""What the DfE CIN census rules share: the census period, the DfE code lists and episode grouping.

The code lists are the enumerations of the DfE CIN census schemas (``schemas/cin-census/``, MIT, from
SocialFinanceDigitalLabs/liia-tools); ``conformance/data/cin-census/`` keeps DfE's rule table beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Final, Protocol, TypeVar

from gateway import CheckContext, ChildRecord, NotEvaluated
from gateway.identifiers import UpnProblem, upn_problems

__all__ = [
    "ASSESSMENT_FACTORS_2024",
    "ASSESSMENT_FACTORS_2025",
    "CATEGORIES_OF_ABUSE",
    "DISABILITIES",
    "ETHNICITIES",
    "NO_REFERENCE_DATE",
    "PRIMARY_NEEDS",
    "REASONS_FOR_CLOSURE",
    "REFERRAL_SOURCES",
    "by_episode",
    "census_period",
    "census_reference",
    "la_child_id",
    "upn_problems_of",
    "years_before",
]

ETHNICITIES: Final = frozenset(
    [
        "WBRI",
        "WIRI",
        "WIRT",
        "WOTH",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ]
)
DISABILITIES: Final = frozenset(
    ["NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]
)
REFERRAL_SOURCES: Final = frozenset(
    [
        "1A",
        "1B",
        "1C",
        "1D",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3D",
        "3E",
        "3F",
        "4",
        "5A",
        "5B",
        "5C",
        "5D",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]
)
PRIMARY_NEEDS: Final = frozenset(["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"])
REASONS_FOR_CLOSURE: Final = frozenset(["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"])
CATEGORIES_OF_ABUSE: Final = frozenset(["NEG", "PHY", "SAB", "EMO", "MUL"])
ASSESSMENT_FACTORS_2024: Final = frozenset(
    [
        "1A",
        "1B",
        "1C",
        "2A",
        "2B",
        "2C",
        "3A",
        "3B",
        "3C",
        "4A",
        "4B",
        "4C",
        "5A",
        "5B",
        "5C",
        "6A",
        "6B",
        "6C",
        "7A",
        "8B",
        "8C",
        "8D",
        "8E",
        "8F",
        "9A",
        "10A",
        "11A",
        "12A",
        "13A",
        "14A",
        "15A",
        "16A",
        "17A",
        "18B",
        "18C",
        "19B",
        "19C",
        "20",
        "21",
        "22A",
        "23A",
        "24A",
    ]
)
"""Assessment factor codes of the 2023-24 census."""
ASSESSMENT_FACTORS_2025: Final = ASSESSMENT_FACTORS_2024 | {"18A", "19A"}
"""From 2024-25 the schema also accepts 18A and 19A (queried by 8945Q and 8950Q)."""

NO_REFERENCE_DATE: Final = NotEvaluated("the submission declares no census reference date or census year")


class _InEpisode(Protocol):
    @property
    def episode_id(self) -> str | None: ...


E = TypeVar("E", bound=_InEpisode)


def census_reference(context: CheckContext) -> date | None:
    """The census reference date: the file's ``ReferenceDate``, else 31 March of its census year."""
    if context.reference_date is not None:
        return context.reference_date
    end_year = context.parameters.get("census_year_end")
    return _reference(context.format_version, end_year if isinstance(end_year, int) else None)


@lru_cache(maxsize=64)
def _reference(format_version: str | None, end_year: int | None) -> date | None:
    version = format_version or ""
    if len(version) == 7 and version[4] == "-" and version[:4].isdigit():
        return date(int(version[:4]) + 1, 3, 31)
    return date(end_year, 3, 31) if end_year is not None else None


def census_period(context: CheckContext) -> tuple[date, date] | None:
    """``(start, end)`` of the census year, inclusive: 1 April of the year before to the reference date."""
    end = census_reference(context)
    return None if end is None else _period(end)


@lru_cache(maxsize=64)
def _period(end: date) -> tuple[date, date]:
    return years_before(end, 1) + timedelta(days=1), end


@lru_cache(maxsize=4096)
def upn_problems_of(upn: str) -> tuple[UpnProblem, ...]:
    """:func:`gateway.identifiers.upn_problems`, remembered: four DfE rules ask about the same UPN in turn."""
    return upn_problems(upn)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (later for a negative ``years``; 29 February becomes 28
    February), clamped to the calendar: never before 1 January 1 nor after 31 December 9999."""
    if day.year - years < date.min.year:
        return date.min
    if day.year - years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def la_child_id(record: ChildRecord) -> str | None:
    """The record's first LA child id."""
    ids = record.child.local_ids
    return ids[0].la_child_id if ids else None


def by_episode(items: Sequence[E]) -> dict[str | None, list[tuple[int, E]]]:
    """``(index, item)`` pairs grouped by the items' episode id, in record order.

    Several rules group the same record's parts in turn, so the last grouping is remembered (keyed by the
    identity of the tuple of parts, which the memo keeps alive).
    """
    global _LAST_GROUPING  # noqa: PLW0603 - a one-entry memo for the record being checked
    last = _LAST_GROUPING
    if last is not None and last[0] is items:
        return last[1]  # type: ignore[return-value]
    groups: dict[str | None, list[tuple[int, E]]] = {}
    for index, item in enumerate(items):
        groups.setdefault(item.episode_id, []).append((index, item))
    _LAST_GROUPING = (items, groups)  # type: ignore[assignment]
    return groups


_LAST_GROUPING: tuple[Sequence[object], dict[str | None, list[tuple[int, object]]]] | None = None
