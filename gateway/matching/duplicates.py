"""Finding duplicates inside a batch of records (a council's extract, several suppliers' files).

Each record is matched against the ones before it and then added to the index, so every pair is reported
once, exactly as incremental matching against a growing directory would report it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from gateway.matching.matcher import Matcher, MatchResult
from gateway.matching.record import IdentityRecord

__all__ = ["find_duplicates"]


def find_duplicates(
    records: Iterable[IdentityRecord],
    matcher: Matcher | None = None,
    *,
    on_record: Callable[[], None] | None = None,
) -> Iterator[MatchResult]:
    """Graded pairs among ``records`` (each pair once, the later record as ``record_id``).

    ``matcher`` defaults to one with an empty in-memory index and the built-in model; ``on_record`` is
    called after each record (for progress bars).
    """
    matcher = matcher or Matcher()
    for record in records:
        prepared = matcher.prepare(record)
        yield from matcher.match(prepared)
        matcher.add(prepared)
        if on_record is not None:
            on_record()
