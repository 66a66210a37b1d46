"""Working days in England (bank holidays from the holidays package, including one-off days)."""

from __future__ import annotations

from datetime import date

from conformance.calendar import add_working_days, is_working_day, subtract_working_days, working_days_after
from conformance.census import years_before


def test_bank_holidays_including_one_off_days() -> None:
    for holiday in (date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8), date(2024, 3, 29), date(2025, 12, 26)):
        assert not is_working_day(holiday), holiday
    assert is_working_day(date(2024, 4, 2))
    assert not is_working_day(date(2024, 4, 6))  # a Saturday


def test_working_day_arithmetic_across_easter() -> None:
    # Tuesday 15 April 2025; Good Friday 18th and Easter Monday 21st are not working days.
    assert add_working_days(date(2025, 4, 15), 7) == date(2025, 4, 28)
    assert working_days_after(date(2025, 4, 15), date(2025, 4, 28)) == 7
    assert subtract_working_days(date(2025, 4, 28), 7) == date(2025, 4, 15)
    assert subtract_working_days(date(2023, 4, 1), 1) == date(2023, 3, 31)
    assert working_days_after(date(2025, 4, 28), date(2025, 4, 15)) == 0


def test_counting_stops_at_the_ends_of_the_calendar_instead_of_failing() -> None:
    """A schema lets a supplier type any year from 1 to 9999: a timescale is then judged, never a crash."""
    assert add_working_days(date(9999, 12, 20), 45) == date.max
    assert subtract_working_days(date(1, 1, 3), 5) == date.min
    assert years_before(date(9999, 1, 1), -25) == date.max
    assert years_before(date(3, 6, 1), 25) == date.min
    assert years_before(date(2024, 2, 29), -1) == date(2025, 2, 28)
