"""The matcher as the conformance engine's :class:`~gateway.rules.directory.DirectoryLookup`, so the
possible-duplicate rule (``ics-1b``, SHOULD; MUST where a council's profile says so) can report matches.

Read-only: looking up queues nothing and links nothing (:class:`~gateway.matching.review.ReviewQueue` does).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gateway.matching.matcher import Matcher
from gateway.matching.record import identity_from_child_record
from gateway.model import ChildRecord
from gateway.rules.directory import PossibleDuplicate

__all__ = ["MatcherLookup"]


class MatcherLookup:
    """Possible duplicates of a record among the matcher's index, one per child, best first."""

    def __init__(self, matcher: Matcher, child_of: Callable[[str], str | None] | None = None) -> None:
        self._matcher = matcher
        self._child_of = child_of

    def possible_duplicates(self, record: ChildRecord) -> list[PossibleDuplicate]:
        identity = identity_from_child_record(record, f"incoming-{uuid.uuid4()}")
        found: dict[str, PossibleDuplicate] = {}
        for result in self._matcher.match(identity):
            child_id = (self._child_of(result.candidate_id) if self._child_of else None) or result.candidate_id
            if child_id not in found:  # results come best first
                found[child_id] = PossibleDuplicate(
                    child_id=child_id, score=result.weight, decision="link" if result.grade == "certain" else "review"
                )
        return list(found.values())
