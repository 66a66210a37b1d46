"""CIN census years: which schema a file is read against, and how the year is found in its header.

DfE names a collection by its year, 1 April to 31 March: the ``2023 to 2024`` census has
``<ReferenceDate>2024-03-31</ReferenceDate>`` and ``<Year>2024</Year>``. The gateway keys everything on that
*end year* (as the vendored ``CIN_schema_2024.xsd`` and DfE's own rule sets do) and labels it ``2023-24``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "SUPPORTED_YEARS",
    "YearChoice",
    "census_label",
    "choose_year",
    "end_year_of_reference_date",
    "parse_census_label",
    "parse_census_year",
]

FIRST_YEAR: Final = 2017
LAST_YEAR: Final = 2026
SUPPORTED_YEARS: Final = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
"""End years of the census collections with a vendored schema: 2016-17 .. 2025-26."""

YearSource = Literal["configured", "ReferenceDate", "Year", "submission", "element shapes", "default"]


def census_label(end_year: int) -> str:
    """``2025`` -> ``2024-25`` (the DfE collection name, also the submission's ``format_version``)."""
    return f"{end_year - 1}-{end_year % 100:02d}"


def end_year_of_reference_date(reference: date) -> int:
    """The end year of the census year (1 April to 31 March) that contains ``reference``."""
    return reference.year if reference.month <= 3 else reference.year + 1


def parse_census_year(text: str | None) -> int | None:
    """A ``<Year>`` value (``xs:gYear``, four digits, optional time zone) as an int, else ``None``."""
    if text is None:
        return None
    value = text.strip()[:4]
    return int(value) if len(value) == 4 and value.isascii() and value.isdigit() else None


def parse_census_label(label: str | None) -> int | None:
    """``2024-25`` -> 2025 (the end year); ``None`` for anything else."""
    if label is None or len(label) != 7 or label[4] != "-":
        return None
    start, end = label[:4], label[5:]
    if not (start.isascii() and start.isdigit() and end.isascii() and end.isdigit()):
        return None
    year = int(start) + 1
    return year if year % 100 == int(end) else None


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    value = text.strip()[:10]
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class YearChoice:
    """The census year a file declares, the schema year it is validated against, and why."""

    declared: int | None
    """End year the file declares (``None`` when its header says nothing usable)."""
    schema_year: int
    """End year of the vendored schema used (the declared year, clamped to the supported range)."""
    source: YearSource
    reference_date: date | None = None
    mismatch: tuple[int, int] | None = None
    """``(Year, ReferenceDate end year)`` when the header's two statements disagree."""

    @property
    def label(self) -> str:
        """The declared census year (``2024-25``), or the schema's when nothing was declared."""
        return census_label(self.declared if self.declared is not None else self.schema_year)

    @property
    def supported(self) -> bool:
        """True when a schema for the declared year is vendored."""
        return self.declared is None or FIRST_YEAR <= self.declared <= LAST_YEAR


def _clamp(year: int) -> int:
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def choose_year(
    year_text: str | None, reference_text: str | None, *, uses_sex: bool | None = None, submitted: int | None = None
) -> YearChoice:
    """Decide the census year from the header's ``Year`` and ``ReferenceDate`` texts.

    ``ReferenceDate`` wins when both are given and disagree (DfE rule 100 ties it to the collection, and
    suppliers update it more reliably than ``Year``); the disagreement is returned for an issue. With
    neither, the census year the submission declares (``submitted``) is used, else ``uses_sex`` (whether the
    first child carries the 2024-25+ ``Sex`` element rather than ``GenderCurrent``) picks the newest schema
    of that shape.
    """
    year = parse_census_year(year_text)
    reference = _parse_date(reference_text)
    reference_year = end_year_of_reference_date(reference) if reference is not None else None
    if reference_year is not None:
        mismatch = (year, reference_year) if year is not None and year != reference_year else None
        return YearChoice(reference_year, _clamp(reference_year), "ReferenceDate", reference, mismatch)
    if year is not None:
        return YearChoice(year, _clamp(year), "Year")
    if submitted is not None:
        return YearChoice(submitted, _clamp(submitted), "submission")
    if uses_sex is None:
        return YearChoice(None, LAST_YEAR, "default")
    return YearChoice(None, LAST_YEAR if uses_sex else 2024, "element shapes")
