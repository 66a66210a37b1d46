"""What directory rules ask of the directory: possible duplicates of an incoming child.

Duplicate prevention (identity resolution against the directory) implements :class:`DirectoryLookup`; the
conformance engine only asks the question. Until a lookup is supplied, rules that need one report that
they were not evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from gateway.model import ChildRecord

__all__ = ["DirectoryLookup", "PossibleDuplicate"]


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """A directory child that may be the same child as the incoming record.

    ``decision`` is the matcher's view: ``link`` (the same child, safe to link automatically) or ``review``
    (a person must decide before a new record is created).
    """

    child_id: str
    """The gateway's own child id of the directory record (an internal reference, not personal data)."""
    score: float
    decision: Literal["link", "review"] = "review"


@runtime_checkable
class DirectoryLookup(Protocol):
    """Finds directory children that may be the same child as a record."""

    def possible_duplicates(self, record: ChildRecord) -> Sequence[PossibleDuplicate]:
        """Directory children that may be ``record``'s child, best first; empty when none."""
        ...
