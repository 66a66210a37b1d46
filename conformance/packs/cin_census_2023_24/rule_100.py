"""cin/100: the header's reference date is the census reference date (31 March of the collection year)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from conformance.census_examples import record
from gateway import (
    CheckContext,
    ChildRecord,
    Entry,
    Finding,
    NotEvaluated,
    Outcome,
    RuleDoc,
    SubmissionRule,
    fails,
    passes,
)

__all__ = ["RULE"]


def _summarise(child_record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, Any]]:
    return iter(())


def _judge(entries: Sequence[Entry[Any]], context: CheckContext) -> Iterator[Entry[Any] | Outcome]:
    if not context.header_read:
        yield NotEvaluated("the submission header (ReferenceDate) is not available to this check")
        return
    end_year = context.parameters.get("census_year_end")
    if not isinstance(end_year, int):
        yield NotEvaluated("no census year is configured for this check")
    elif context.reference_date != date(end_year, 3, 31):
        yield Finding("")


RULE = SubmissionRule(
    id="cin/100",
    pack="cin-census-2023-24",
    strength="MUST",
    message="Reference Date is incorrect",
    fields=("ReferenceDate (submission header)",),
    summarise=_summarise,
    judge=_judge,
    located=False,
    doc=RuleDoc(
        checks=(
            "The header's ReferenceDate is present and equals 31 March of the collection year of the rules being "
            "applied (2024-03-31 for 2023-24, 2025-03-31 for 2024-25, 2026-03-31 for 2025-26)."
        ),
        why="Every census date rule is measured against the reference date; a wrong one shifts the whole census year.",
        fix="Set ReferenceDate to 31 March of the collection year (and Year to match).",
    ),
    examples=(
        passes("31 March 2024", record(), reference_date=date(2024, 3, 31)),
        fails("last year's date", record(), reference_date=date(2023, 3, 31), at=[""]),
        fails("no reference date", record(), at=[""]),
        passes("header not available (stored message)", record(), not_evaluated=True, header_read=False),
    ),
)
