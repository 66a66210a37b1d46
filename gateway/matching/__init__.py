"""Duplicate prevention: find records of the same child, grade them as FHIR ``$match`` does, and put possible
duplicates before a person.

    >>> from gateway.matching import Matcher, identity_from_child_record
    >>> matcher = Matcher()                       # in-memory index, built-in model and nickname table
    >>> matcher.add(identity_from_child_record(existing, "r1"))        # doctest: +SKIP
    >>> [(m.grade, m.weight, m.explanation_text()) for m in matcher.match(incoming)]  # doctest: +SKIP

Parts: :class:`IdentityRecord` (what matching reads), blocking keys and candidate indexes (in memory, or SQL
beside the directory: :class:`SqlIndex`), field comparisons, the Fellegi-Sunter :class:`MatchModel`
(estimated by EM, fixable in configuration), the :class:`Matcher` with its hard rules and grades, the
:class:`ReviewQueue` (resolve, decide, unmerge, reverse; audited), :func:`find_duplicates` for batches, and
the synthetic benchmark data (:mod:`gateway.matching.synthetic`), and :class:`IdentityResolver`, the
pipeline's match step (link, new child, or held for review; :mod:`gateway.matching.resolution`). Nothing
here logs personal data or explanations.
"""

from gateway.matching.comparisons import FIELDS, LEVELS, MISSING, Comparison, compare
from gateway.matching.decisions import Decision, MoveHook, ReleasedEvent, ReleaseHook, ReviewStateError
from gateway.matching.duplicates import find_duplicates
from gateway.matching.estimation import estimate_model
from gateway.matching.explanation import FieldExplanation
from gateway.matching.features import PreparedRecord, prepare
from gateway.matching.index import CandidateIndex, InMemoryIndex
from gateway.matching.lookup import MatcherLookup
from gateway.matching.matcher import (
    GRADES,
    RULE_NHS_CONFLICT,
    RULE_SIBLINGS,
    RULE_TWINS,
    Grade,
    Matcher,
    MatchResult,
    Thresholds,
)
from gateway.matching.model import FieldParameters, MatchModel, load_model
from gateway.matching.names import NicknameTable, load_nicknames
from gateway.matching.record import (
    IdentityAddress,
    IdentityName,
    IdentityRecord,
    identity_from_child_record,
    identity_from_dict,
    identity_to_dict,
)
from gateway.matching.resolution import HELD_FOR_REVIEW, IdentityResolver, ResolutionLookup, record_id_for
from gateway.matching.review import Resolution, Review, ReviewQueue
from gateway.matching.store import SqlIndex

__all__ = [
    "FIELDS",
    "GRADES",
    "HELD_FOR_REVIEW",
    "LEVELS",
    "MISSING",
    "RULE_NHS_CONFLICT",
    "RULE_SIBLINGS",
    "RULE_TWINS",
    "CandidateIndex",
    "Comparison",
    "Decision",
    "FieldExplanation",
    "FieldParameters",
    "Grade",
    "IdentityAddress",
    "IdentityName",
    "IdentityRecord",
    "IdentityResolver",
    "InMemoryIndex",
    "MatchModel",
    "MatchResult",
    "Matcher",
    "MatcherLookup",
    "MoveHook",
    "NicknameTable",
    "PreparedRecord",
    "ReleaseHook",
    "ReleasedEvent",
    "Resolution",
    "ResolutionLookup",
    "Review",
    "ReviewQueue",
    "ReviewStateError",
    "SqlIndex",
    "Thresholds",
    "compare",
    "estimate_model",
    "find_duplicates",
    "identity_from_child_record",
    "identity_from_dict",
    "identity_to_dict",
    "load_model",
    "load_nicknames",
    "prepare",
    "record_id_for",
]
