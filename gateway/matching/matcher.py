"""The matcher: find the records in an index that may be the same child as an incoming one, and grade them
as FHIR's patient ``$match`` does — ``certain``, ``probable`` or ``possible`` — with the weight and a
per-field explanation.

Grading (weights are Fellegi-Sunter ``log2`` likelihood ratios, see :mod:`gateway.matching.model`):

* ``certain``  — weight >= ``Thresholds.certain`` *and* an identifier agrees exactly (NHS number, UPN or
  the council's child id). Only ``certain`` may be linked without a person deciding.
* ``probable`` — weight >= ``Thresholds.probable`` (or a certain weight without an agreeing identifier).
* ``possible`` — weight >= ``Thresholds.possible``.

Hard rules, applied whatever the weight:

* two different *valid* NHS numbers are never the same child (rule ``different-valid-nhs-numbers``: the pair
  is not graded at all);
* possible twins — same (or nearly the same) birth date, same household (surname, carers or address agree),
  different given names (not merely an initial or a middle name) and no agreeing identifier — are never
  more than ``possible`` (rule ``possible-twins``), so a person always decides;
* possible siblings — birth date differs or is missing, different given names and no agreeing identifier —
  are never more than ``possible`` (rule ``given-name-and-birth-date-differ``): siblings share a surname,
  an address and carers, which together outweigh two disagreeing personal fields.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from gateway.matching.blocking import query_keys
from gateway.matching.comparisons import (
    ADDRESS,
    BIRTH,
    CARERS,
    FAMILY,
    GIVEN,
    LOCAL,
    MISSING,
    NHS,
    UPN,
    Comparison,
    compare,
)
from gateway.matching.explanation import FieldExplanation, explain, render
from gateway.matching.features import PreparedRecord, prepare
from gateway.matching.index import DEFAULT_MAX_BLOCK, CandidateIndex, InMemoryIndex
from gateway.matching.model import MatchModel, load_model
from gateway.matching.names import NicknameTable, load_nicknames
from gateway.matching.record import IdentityRecord

__all__ = [
    "GRADES",
    "RULE_NHS_CONFLICT",
    "RULE_SIBLINGS",
    "RULE_TWINS",
    "Grade",
    "MatchResult",
    "Matcher",
    "Thresholds",
]

log = logging.getLogger(__name__)

Grade = Literal["certain", "probable", "possible"]
GRADES: Final[tuple[Grade, ...]] = ("certain", "probable", "possible")

RULE_NHS_CONFLICT: Final = "different-valid-nhs-numbers"
RULE_TWINS: Final = "possible-twins"
RULE_SIBLINGS: Final = "given-name-and-birth-date-differ"

_RULE_TEXT: Final = {
    RULE_NHS_CONFLICT: "different valid NHS numbers: never the same child",
    RULE_TWINS: "same birth date and household but different given names: possibly twins, a person must decide",
    RULE_SIBLINGS: "given name and birth date both differ: possibly siblings, a person must decide",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Weight thresholds of the grades (defaults chosen on synthetic *training* data, see bench/linkage.py)."""

    certain: float = 22.0
    probable: float = 17.0
    possible: float = 8.0


@dataclass(frozen=True, slots=True)
class MatchResult:
    """How an incoming record compares with one candidate. ``grade`` is ``None`` below ``possible``."""

    record_id: str
    candidate_id: str
    grade: Grade | None
    weight: float
    comparison: Comparison
    rule: str | None = None
    """The hard rule that limited the grade, if any."""
    explanation: tuple[FieldExplanation, ...] = ()

    def explanation_text(self) -> str:
        """The explanation as one line (hard rule first)."""
        extra = (_RULE_TEXT[self.rule],) if self.rule else ()
        return render(self.explanation, extra)


def _identifier_agrees(levels: tuple[int, ...]) -> bool:
    return levels[NHS] == 0 or levels[UPN] == 0 or levels[LOCAL] == 0


def _different_given_names(comparison: Comparison) -> bool:
    """Two different full given names (an initial or a middle name agreeing is not a different name)."""
    level = comparison.levels[GIVEN]
    return level == 4 or (level == 3 and comparison.notes[GIVEN] == "similar")


def _possible_twins(comparison: Comparison) -> bool:
    levels = comparison.levels
    household = levels[FAMILY] in (0, 1) or levels[CARERS] == 0 or levels[ADDRESS] in (0, 1)
    return (
        levels[BIRTH] in (0, 1, 2)
        and household
        and _different_given_names(comparison)
        and not _identifier_agrees(levels)
    )


def _possible_siblings(comparison: Comparison) -> bool:
    levels = comparison.levels
    return levels[BIRTH] in (3, MISSING) and _different_given_names(comparison) and not _identifier_agrees(levels)


class Matcher:
    """Matches records against an index with a Fellegi-Sunter model and grade thresholds."""

    def __init__(
        self,
        index: CandidateIndex | None = None,
        *,
        model: MatchModel | None = None,
        thresholds: Thresholds | None = None,
        nicknames: NicknameTable | None = None,
        max_block: int = DEFAULT_MAX_BLOCK,
    ) -> None:
        self.index: CandidateIndex = index if index is not None else InMemoryIndex()
        self.model = model or load_model()
        self.thresholds = thresholds or Thresholds()
        self.nicknames = nicknames or load_nicknames()
        self.max_block = max_block
        self._weights = self.model.weight_table
        self._prepared: dict[IdentityRecord, PreparedRecord] = {}
        """Recently prepared records: a record checked (previewed) and then resolved is prepared once."""
        self._assessed: dict[tuple[IdentityRecord, IdentityRecord], MatchResult] = {}
        """Recent pairs (without explanation): a pair previewed and then resolved is compared once."""
        self._explained: dict[Comparison, tuple[FieldExplanation, ...]] = {}
        """Explanations by comparison outcome (a few hundred distinct ones at most)."""

    def prepare(self, record: IdentityRecord) -> PreparedRecord:
        """Compute a record's comparison features (with this matcher's nickname table), once per identity among
        the recent ones."""
        found = self._prepared.get(record)
        if found is None:
            found = prepare(record, self.nicknames)
            _bounded_put(self._prepared, record, found)
        return found

    def explain(self, comparison: Comparison) -> tuple[FieldExplanation, ...]:
        """The per-field explanation of a comparison (computed once per distinct comparison)."""
        found = self._explained.get(comparison)
        if found is None:
            found = explain(comparison, self.model)
            _bounded_put(self._explained, comparison, found)
        return found

    def add(self, record: IdentityRecord | PreparedRecord) -> PreparedRecord:
        """Put a record in the index (replacing one with the same id)."""
        prepared = record if isinstance(record, PreparedRecord) else self.prepare(record)
        self.index.add(prepared)
        return prepared

    def assess(self, record: PreparedRecord, candidate: PreparedRecord, *, explain_pair: bool = True) -> MatchResult:
        """Compare and grade one pair (always returns; ``grade`` is ``None`` for a non-match)."""
        if record.nhs_valid and candidate.nhs_valid and record.nhs_number != candidate.nhs_number:
            comparison = compare(record, candidate)
            return MatchResult(
                record.record_id, candidate.record_id, None, self.model.weight(comparison.levels), comparison,
                RULE_NHS_CONFLICT,
            )  # fmt: skip
        comparison = compare(record, candidate)
        levels = comparison.levels
        weights = self._weights
        weight = sum(weights[i][level] for i, level in enumerate(levels) if level >= 0)
        grade, rule = self._grade(comparison, weight)
        explanation = self.explain(comparison) if explain_pair and grade is not None else ()
        return MatchResult(record.record_id, candidate.record_id, grade, weight, comparison, rule, explanation)

    def _assess_once(self, record: PreparedRecord, candidate: PreparedRecord) -> MatchResult:
        """:meth:`assess` without explanation, remembered for the recent pairs (a pure function of the two
        identities, so a pair met again — checked, then resolved — is not compared again)."""
        key = (record.record, candidate.record)
        found = self._assessed.get(key)
        if found is None:
            found = self.assess(record, candidate, explain_pair=False)
            _bounded_put(self._assessed, key, found)
        return found

    def _grade(self, comparison: Comparison, weight: float) -> tuple[Grade | None, str | None]:
        thresholds = self.thresholds
        levels = comparison.levels
        if _possible_twins(comparison):
            return ("possible" if weight >= thresholds.possible else None), RULE_TWINS
        if _possible_siblings(comparison):
            return ("possible" if weight >= thresholds.possible else None), RULE_SIBLINGS
        if weight >= thresholds.certain and _identifier_agrees(levels):
            return "certain", None
        if weight >= thresholds.probable:
            return "probable", None
        if weight >= thresholds.possible:
            return "possible", None
        return None, None

    def match(self, record: IdentityRecord | PreparedRecord, *, exclude: Collection[str] = ()) -> list[MatchResult]:
        """Graded candidates for ``record`` from the index, best first (the record itself is skipped)."""
        prepared = record if isinstance(record, PreparedRecord) else self.prepare(record)
        candidates = self.index.candidates(query_keys(prepared), max_block=self.max_block)
        return self.rank(prepared, candidates, exclude=exclude)

    def rank(
        self, prepared: PreparedRecord, candidates: Iterable[PreparedRecord], *, exclude: Collection[str] = ()
    ) -> list[MatchResult]:
        """Graded ``candidates`` for ``prepared``, best first, with explanations."""
        results: list[MatchResult] = []
        own = prepared.record_id
        for candidate in candidates:
            if candidate.record_id == own or candidate.record_id in exclude:
                continue
            result = self._assess_once(prepared, candidate)
            if result.grade is not None:
                results.append(result)
        results.sort(key=lambda r: (-r.weight, r.candidate_id))
        return [
            MatchResult(
                r.record_id, r.candidate_id, r.grade, r.weight, r.comparison, r.rule, self.explain(r.comparison)
            )
            for r in results
        ]


_CACHE_SIZE: Final = 20_000


def _bounded_put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Remember ``value``, forgetting the oldest entry once the cache is full."""
    if len(cache) >= _CACHE_SIZE:
        try:
            del cache[next(iter(cache))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first
            cache.clear()
    cache[key] = value
