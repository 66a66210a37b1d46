"""Working days in England: weekdays that are not bank holidays.

Bank holidays come from the ``holidays`` package (``GB``, subdivision ``ENG``), which computes them for any
year — including the one-off days (the 2022 Platinum Jubilee and State Funeral, the 2023 Coronation) — so
that timescales on old and future records are counted the same way. A shipped copy of the gov.uk list
would cover only the few years it was published for.

Timescales follow *Working Together to Safeguard Children*: the day an assessment starts is day 0, and
"within 45 working days" means completed on or before the 45th working day after it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "subtract_working_days",
    "working_days_after",
]

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """True for a Monday to Friday that is not a bank holiday in England."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@lru_cache(maxsize=4096)
def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is day 0 and is not counted; 31 December
    9999 when the calendar ends first)."""
    day = start
    remaining = count
    while remaining > 0:
        if day == date.max:
            return date.max  # the calendar ends first (a date typed as 9999-12-31)
        day += _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


@lru_cache(maxsize=256)
def subtract_working_days(end: date, count: int) -> date:
    """The ``count``-th working day before ``end`` (``end`` itself is not counted; 1 January 1 when the
    calendar starts first)."""
    day = end
    remaining = count
    while remaining > 0:
        if day == date.min:
            return date.min  # the calendar starts first
        day -= _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_after(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_working_day(day):
            count += 1
    return count
