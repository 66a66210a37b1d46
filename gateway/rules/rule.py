"""Rules: one check with its metadata, documentation and pass/fail examples, for built-in and plugin packs.

A rule is a value: a stable ``id`` (``ics-1b/assessment-child-seen``, ``cin/8608``), the ``pack`` that
defines it, a ``strength`` (``MUST`` = error, ``SHOULD`` = warning, ``INFO`` = information), the
``message`` every issue carries, the canonical ``fields`` it reads, its documentation (:class:`RuleDoc`)
and :class:`Example` records that must pass and fail. Three kinds, by what the check needs:

:class:`RecordRule`
    one child record at a time (``check(record, context)``);
:class:`SubmissionRule`
    the whole submission (duplicate ids, LA-level statistics): ``summarise`` each record to small values,
    then ``judge`` them all once at the end, so a 100,000-child file is never held in memory;
:class:`DirectoryRule`
    one record against the directory (possible duplicate child), through a
    :class:`~gateway.rules.DirectoryLookup`; without one the rule reports that it was not evaluated.

A check function returns the rule's outcomes: a :class:`Finding` for each failure (the JSON pointer of the
field concerned, so the issue is located through the record's lineage) or :class:`NotEvaluated` when the
data the rule needs is not there to judge (the format cannot carry it). Passing returns nothing. Check
functions never raise on bad data; the engine turns an unexpected exception into an issue too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Generic, Literal, NamedTuple, TypeVar

from gateway.model import ChildRecord, Severity, SourceLocation
from gateway.rules.directory import DirectoryLookup, PossibleDuplicate

__all__ = [
    "SEVERITY_OF",
    "CheckContext",
    "DirectoryRule",
    "Entry",
    "Example",
    "Finding",
    "NotEvaluated",
    "Outcome",
    "RecordPart",
    "RecordRule",
    "Rule",
    "RuleDoc",
    "Strength",
    "SubmissionRule",
    "fails",
    "passes",
    "rule_file_stem",
]

Strength = Literal["MUST", "SHOULD", "INFO"]
"""How binding a rule is: ``MUST`` fails the message, ``SHOULD`` warns, ``INFO`` informs."""

SEVERITY_OF: Final[Mapping[Strength, Severity]] = {"MUST": "error", "SHOULD": "warning", "INFO": "information"}
"""The issue severity each strength produces."""

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Finding:
    """One failure: the field concerned, as a JSON pointer into the ChildRecord (``""`` = the whole record).

    ``detail`` is appended to the rule's message; like the message it names fields and rules, never values.
    """

    field: str = ""
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """The rule could not be evaluated: the data it needs is absent by the nature of the format or context.

    Reported once per file at information level — never a false error, never a silent pass.
    """

    reason: str
    field: str = ""


Outcome = Finding | NotEvaluated
"""What a check function returns for each problem; passing returns nothing."""

RecordPart = Literal[
    "carers",
    "involvements",
    "consents",
    "cin_episodes",
    "assessments",
    "section47_enquiries",
    "child_protection_plans",
    "cin_plans",
    "looked_after_episodes",
    "reviews",
    "missing_episodes",
    "uasc",
    "looked_after_outcomes",
    "care_leaver",
    "adoption",
    "adoption_decisions",
    "previous_permanence",
    "caf_assessments",
]
"""The parts of a ChildRecord (repeated, or optional and single) a record rule may declare it judges (see
``RecordRule.applies_to``): the rule is called only for records where one of them is present."""


class Entry(NamedTuple, Generic[S]):
    """A value a :class:`SubmissionRule` kept from one record, with where it came from.

    A named tuple: a submission rule keeps one per record of a file that may hold 100,000 children, so it
    is cheap to make and, holding plain values, costs the garbage collector nothing. The engine passes
    entries to ``judge`` without their ``location`` (``None``) and locates the entries a rule reports.
    """

    value: S
    record: int
    """Position of the record in the submission (0-based)."""
    child: str | None
    """The record's LA child id, when known."""
    field: str
    location: SourceLocation | None = None


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What rules may know besides the record: the submission's format, its census year and today's date.

    ``today`` is given (not read from the clock) so that checks are reproducible.
    """

    today: date
    format_id: str | None = None
    format_version: str | None = None
    """Schema or census version the file declares, e.g. ``2024-25``."""
    reference_date: date | None = None
    """The reference date the file declares (CIN census ``ReferenceDate``), when its format has one."""
    header_read: bool = True
    """False when the check runs without the reader's ``SubmissionHeader`` (e.g. on a stored message): rules
    about what the header declares then report "not evaluated" rather than "missing"."""
    la_code: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Pack parameters, e.g. ``census_year_end`` (2025 for the 2024-25 census)."""


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation: what it checks, why it matters, and how a supplier fixes a failure."""

    checks: str
    why: str
    fix: str


@dataclass(frozen=True)
class Example:
    """Records a rule must pass or fail, kept as data beside the rule and run by the test suite.

    ``records`` are ``ChildRecord``-shaped mappings. ``fails`` lists the canonical paths
    (``/records/0/assessments/0/completed_date``) the rule must report, ``""`` standing for an LA-level
    issue that concerns no single record; an example with no ``fails`` and ``not_evaluated`` false must pass
    cleanly. ``duplicates`` is what a directory lookup answers for every record (for directory rules).
    """

    name: str
    records: tuple[Mapping[str, Any], ...]
    fails: tuple[str, ...] = ()
    not_evaluated: bool = False
    reference_date: date | None = None
    header_read: bool = True
    today: date = date(2025, 6, 30)
    format_id: str | None = None
    duplicates: tuple[PossibleDuplicate, ...] | None = None

    @property
    def passing(self) -> bool:
        """True for an example the rule must pass without any outcome."""
        return not self.fails and not self.not_evaluated


def passes(name: str, *records: Mapping[str, Any], **context: Any) -> Example:
    """An example the rule must pass."""
    return Example(name=name, records=tuple(records), **context)


def fails(name: str, *records: Mapping[str, Any], at: Sequence[str], **context: Any) -> Example:
    """An example the rule must fail, at the canonical paths ``at``."""
    if not at:
        raise ValueError("a failing example names the paths it fails at")
    return Example(name=name, records=tuple(records), fails=tuple(at), **context)


@dataclass(frozen=True, kw_only=True)
class _RuleBase:
    id: str
    """Stable id: ``<pack family>/<name>``; the rule's file is named after the last part (see rule_file_stem)."""
    pack: str
    strength: Strength
    message: str
    fields: tuple[str, ...]
    """Canonical fields the rule reads (JSON pointers with ``*`` for any index)."""
    doc: RuleDoc
    examples: tuple[Example, ...]

    @property
    def severity(self) -> Severity:
        return SEVERITY_OF[self.strength]


@dataclass(frozen=True, kw_only=True)
class RecordRule(_RuleBase):
    """A rule that judges one child record at a time."""

    check: Callable[[ChildRecord, CheckContext], Iterable[Outcome]]
    applies_to: tuple[RecordPart, ...] = ()
    """Parts of the record the rule judges (``assessments``, ``child_protection_plans`` ...): when a record has
    none of them the rule has nothing to judge and is not called. Empty: the rule is called for every record."""


@dataclass(frozen=True, kw_only=True)
class SubmissionRule(_RuleBase):
    """A rule that judges the submission as a whole.

    ``summarise`` returns ``(field, value)`` pairs to keep from a record; ``judge`` receives every kept
    :class:`Entry` once the submission has been read, and returns the failing entries, LA-level
    :class:`Finding` values (concerning no single record) or :class:`NotEvaluated`.
    """

    summarise: Callable[[ChildRecord, CheckContext], Iterable[tuple[str, Any]]]
    judge: Callable[[Sequence[Entry[Any]], CheckContext], Iterable[Entry[Any] | Outcome]]
    located: bool = True
    """False for rules that only judge the submission as a whole (LA-level statistics): their entries carry
    no location, which saves looking each one up in the record's lineage."""


@dataclass(frozen=True, kw_only=True)
class DirectoryRule(_RuleBase):
    """A rule that judges one record against the directory (through a :class:`DirectoryLookup`)."""

    check: Callable[[ChildRecord, CheckContext, DirectoryLookup], Iterable[Outcome]]


Rule = RecordRule | SubmissionRule | DirectoryRule
"""Any rule."""


def rule_file_stem(rule_id: str) -> str:
    """The module name a rule's file must have: the id's last part, lower-cased, ``-`` as ``_``.

    A name that starts with a digit (DfE codes) is prefixed ``rule_``: ``cin/1560Q`` -> ``rule_1560q``,
    ``ics-1b/assessment-child-seen`` -> ``assessment_child_seen``.
    """
    name = rule_id.rsplit("/", 1)[-1].lower().replace("-", "_")
    return f"rule_{name}" if name[:1].isdigit() else name
