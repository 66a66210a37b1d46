"""The rule engine: runs a profile's rules over a stream of child records and yields issues.

The engine never raises on bad data. Each rule outcome becomes an :class:`~gateway.Issue` with the rule's
id, the profile's severity for it, the rule's message (never a value from the file), the location in the
supplier's file found through the record's lineage (the :class:`~gateway.FieldSource` of the field the
rule reports), the canonical path and the LA child id. "Could not be evaluated" is reported once per
rule and file, at information level. A rule that fails unexpectedly is reported as an issue of that rule
(never a silent pass) and logged without the record's content.

Built for large files (a 100,000-child census return): the rules are grouped once per session by the parts
of a record they judge, so a rule is not called for a record it cannot apply to; a record's lineage is
indexed only when one of its issues must be located (:mod:`conformance.locations`); submission rules keep
plain values in columns while the file streams; in ``deferred`` mode (``check_submission``) the records'
issues are kept as plain values and built once, at the end, with the garbage collector paused (they hold no
cycles, and tens of thousands of live issue objects would make every full collection slower).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from conformance.locations import Locator, Row, locate, location_of
from gateway import (
    CheckContext,
    ChildRecord,
    DirectoryLookup,
    DirectoryRule,
    Entry,
    Finding,
    Issue,
    NotEvaluated,
    RecordRule,
    Rule,
    Severity,
    SourceLocation,
    SubmissionRule,
)

__all__ = ["ActiveRule", "Session", "locate"]

logger = logging.getLogger(__name__)

_Check = Callable[[ChildRecord, CheckContext], Iterable[object]]

_NO_DIRECTORY: Final = NotEvaluated("no directory lookup is configured for this check (duplicate matching)")
_VALIDATE_ISSUE: Final = Issue.__pydantic_validator__.validate_python
"""The model's own validator, called with a dict: what ``Issue(**fields)`` does, without keyword unpacking."""
_RULE_FAILED: Final = (
    "the rule could not be run on this record (a defect in the gateway, logged for its maintainers); "
    "the record has not been judged by this rule"
)


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A rule as a profile runs it: with the severity the profile gives it and the reason for any override."""

    rule: Rule
    severity: Severity
    override_reason: str | None = None


def _child_id(record: ChildRecord) -> str | None:
    ids = record.child.local_ids
    return ids[0].la_child_id if ids else None


@dataclass
class Session:
    """One check of one submission: feed records in order with :meth:`record`, then call :meth:`finish`.

    The rules are compiled once per session: record rules grouped by the shape of record they can judge
    (which of their ``applies_to`` parts are present), so a rule is never called for a record it has
    nothing to judge in. A record's lineage is indexed only when an issue must be located in it, and each
    location is built once and shared by the issues at that place. Submission rules keep plain values
    while the file streams (their locations as plain values too); ``Entry`` objects and locations are
    built once, at :meth:`finish`, only for what is judged and reported.
    """

    rules: Sequence[ActiveRule]
    context: CheckContext
    directory: DirectoryLookup | None = None
    default_file: str | None = None
    """The file to name when a record has no lineage (a one-file submission)."""
    path_prefix: str = "/records"
    deferred: bool = False
    """Keep the records' issues as plain values and build them at :meth:`finish` (which then returns them
    first, in order; :meth:`record` returns none). For a whole file checked at once: tens of thousands of
    issue objects held while the file streams make every garbage collection pass slower, plain values do not."""
    count: int = 0
    _checks: list[tuple[ActiveRule, RecordRule]] = field(default_factory=list)
    _parts: tuple[str, ...] = ()
    _parts_of: Callable[[ChildRecord], tuple[Any, ...]] = field(default=lambda _record: ())
    _by_shape: dict[tuple[bool, ...], list[tuple[ActiveRule, _Check]]] = field(default_factory=dict)
    _directory_rules: list[tuple[ActiveRule, DirectoryRule]] = field(default_factory=list)
    _submission_rules: list[tuple[ActiveRule, SubmissionRule, _Kept]] = field(default_factory=list)
    _not_evaluated: set[tuple[str, str | None]] = field(default_factory=set)
    _default_location: SourceLocation | None = None
    _held: list[Issue | _Pending] = field(default_factory=list)

    def __post_init__(self) -> None:
        for active in self.rules:
            rule = active.rule
            if isinstance(rule, RecordRule):
                self._checks.append((active, rule))
            elif isinstance(rule, DirectoryRule):
                self._directory_rules.append((active, rule))
            else:
                self._submission_rules.append((active, rule, _Kept()))
        self._parts = tuple(sorted({part for _, rule in self._checks for part in rule.applies_to}))
        parts = self._parts
        self._parts_of = (lambda _record: ()) if not parts else _parts_getter(parts)
        if self.default_file is not None:
            self._default_location = SourceLocation(file=self.default_file)

    def _checks_for(self, record: ChildRecord) -> list[tuple[ActiveRule, _Check]]:
        """The record rules with something to judge in ``record`` (by which of its parts are non-empty)."""
        shape = tuple(map(bool, self._parts_of(record)))
        checks = self._by_shape.get(shape)
        if checks is None:
            present = {part for part, there in zip(self._parts, shape, strict=True) if there}
            checks = self._by_shape[shape] = [
                (active, rule.check)
                for active, rule in self._checks
                if not rule.applies_to or present.intersection(rule.applies_to)
            ]
        return checks

    # -- per record ------------------------------------------------------------------------------------

    def record(self, record: ChildRecord) -> list[Issue]:
        """The issues the record-level and directory rules find in the next record of the submission."""
        index = self.count
        self.count += 1
        issues: list[Issue | _Pending] = self._held if self.deferred else []
        context = self.context
        state = _RecordState(record, index)
        for active, check in self._checks_for(record):
            try:
                for outcome in check(record, context):
                    issue = self._issue(active, outcome, state)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:  # a defect in a rule must not stop the check or pass silently
                issues.append(self._failed(active, exc, state))
        directory = self.directory
        for active, rule in self._directory_rules:
            try:
                outcomes = (_NO_DIRECTORY,) if directory is None else rule.check(record, context, directory)
                for outcome in outcomes:
                    issue = self._issue(active, outcome, state)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:
                issues.append(self._failed(active, exc, state))
        for active, submission_rule, kept in self._submission_rules:
            try:
                for pointer, value in submission_rule.summarise(record, context):
                    row = state.locator().values(pointer) if submission_rule.located else None
                    kept.add(value, index, state.child(), pointer, row)
            except Exception as exc:
                issues.append(self._failed(active, exc, state))
        return [] if self.deferred else self._build(issues)

    def hold(self, issue: Issue) -> None:
        """Keep another step's issue (the reader's) in its place among the records' issues (deferred mode)."""
        self._held.append(issue)

    def _build(self, issues: list[Issue | _Pending]) -> list[Issue]:
        """Issues from pending values; issues at one place share one location."""
        out: list[Issue] = []
        locations: dict[Row, SourceLocation | None] = {}
        for item in issues:
            if isinstance(item, Issue):
                out.append(item)
                continue
            rule, severity, message, values, path, child = item
            location: SourceLocation | None
            if values is None:
                location = self._default_location
            elif values in locations:
                location = locations[values]
            else:
                location = locations[values] = location_of(values) or self._default_location
            issue: Issue = _VALIDATE_ISSUE(
                {
                    "rule": rule,
                    "severity": severity,
                    "message": message,
                    "location": location,
                    "canonical_path": path,
                    "child": child,
                }
            )
            out.append(issue)
        return out

    def _issue(self, active: ActiveRule, outcome: object, state: _RecordState) -> Issue | _Pending | None:
        rule = active.rule
        if isinstance(outcome, Finding):
            message = rule.message if outcome.detail is None else f"{rule.message} ({outcome.detail})"
            return (
                rule.id,
                active.severity,
                message,
                state.locator().values(outcome.field),
                f"{self.path_prefix}/{state.index}{outcome.field}",
                state.child(),
            )
        if isinstance(outcome, NotEvaluated):
            key = (rule.id, None)
            if key in self._not_evaluated and self.default_file is not None:
                return None  # the common case, decided without looking at the record's lineage
            return self._not_evaluated_issue(rule, outcome, state.locator().file() or self.default_file)
        raise TypeError(f"rule {rule.id} returned a {type(outcome).__name__}, not a Finding or NotEvaluated")

    def _not_evaluated_issue(self, rule: Rule, outcome: NotEvaluated, file: str | None) -> Issue | None:
        key = (rule.id, file)
        if key in self._not_evaluated:
            return None
        self._not_evaluated.add(key)
        if file == self.default_file:
            self._not_evaluated.add((rule.id, None))
        return Issue(
            rule=rule.id,
            severity="information",
            message=f"could not be evaluated for this file: {outcome.reason}",
            location=SourceLocation(file=file) if file else None,
        )

    def _failed(self, active: ActiveRule, exc: Exception, state: _RecordState | None) -> Issue:
        logger.error("rule failed", extra={"rule_id": active.rule.id, "error": type(exc).__name__}, exc_info=False)
        file = state.locator().file() if state is not None else None
        return Issue(
            rule=active.rule.id,
            severity=active.severity,
            message=_RULE_FAILED,
            location=SourceLocation(file=file or self.default_file),
            canonical_path=f"{self.path_prefix}/{state.index}" if state is not None else None,
            child=state.child() if state is not None else None,
        )

    # -- whole submission ------------------------------------------------------------------------------

    def finish(self) -> list[Issue]:
        """The issues the submission-level rules find, once every record has been fed."""
        with _collector_paused():
            issues = self._build(self._held)
        self._held = []
        for active, rule, kept in self._submission_rules:
            with _collector_paused():
                columns = (kept.values, kept.records, kept.children, kept.fields)
                entries = [Entry(*values) for values in zip(*columns, strict=True)]
                where = dict(zip(zip(kept.records, kept.fields, strict=True), kept.rows, strict=True))
            kept.clear()
            try:
                for outcome in rule.judge(entries, self.context):
                    issue = self._judged(active, outcome, where)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:
                issues.append(self._failed(active, exc, None))
        return issues

    def _judged(self, active: ActiveRule, outcome: object, where: dict[tuple[int, str], Row | None]) -> Issue | None:
        rule = active.rule
        if isinstance(outcome, Entry):
            location = outcome.location
            if location is None:
                values = where.get((outcome.record, outcome.field))
                location = (location_of(values) if values is not None else None) or self._default_location
            return Issue(
                rule=rule.id,
                severity=active.severity,
                message=rule.message,
                location=location,
                canonical_path=f"{self.path_prefix}/{outcome.record}{outcome.field}",
                child=outcome.child,
            )
        if isinstance(outcome, Finding):
            message = rule.message if outcome.detail is None else f"{rule.message} ({outcome.detail})"
            return Issue(
                rule=rule.id,
                severity=active.severity,
                message=message,
                location=self._default_location,
            )
        if isinstance(outcome, NotEvaluated):
            return self._not_evaluated_issue(rule, outcome, self.default_file)
        raise TypeError(f"rule {rule.id} judged a {type(outcome).__name__}")

    def check_all(self, records: Iterable[ChildRecord]) -> Iterator[Issue]:
        """Every issue the rules find in ``records`` (a convenience over :meth:`record` and :meth:`finish`)."""
        for record in records:
            yield from self.record(record)
        yield from self.finish()


def _parts_getter(parts: tuple[str, ...]) -> Callable[[ChildRecord], tuple[Any, ...]]:
    """A function giving a record's ``parts`` as one tuple (``attrgetter`` gives a bare value for one part)."""
    getter = attrgetter(*parts)
    if len(parts) == 1:
        return lambda record: (getter(record),)
    return getter


_Pending = tuple[str, Severity, str, Row | None, str, str | None]
"""An issue not built yet: rule id, severity, message, lineage row locating it, canonical path, child id."""


@dataclass(slots=True)
class _Kept:
    """What a submission rule keeps while the file streams, as columns of plain values (no object per
    value): the values, the records' positions and child ids, the fields, and (located rules) the lineage
    rows locating them. ``Entry`` objects are made once, for ``judge``."""

    values: list[Any] = field(default_factory=list)
    records: list[int] = field(default_factory=list)
    children: list[str | None] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    rows: list[Row | None] = field(default_factory=list)

    def add(self, value: Any, record: int, child: str | None, pointer: str, row: Row | None) -> None:
        self.values.append(value)
        self.records.append(record)
        self.children.append(child)
        self.fields.append(pointer)
        self.rows.append(row)

    def clear(self) -> None:
        for column in (self.values, self.records, self.children, self.fields, self.rows):
            column.clear()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a burst of acyclic objects is built.

    Building tens of thousands of issues at once would otherwise trigger full collections that traverse
    every live object and can free none of the new ones (they hold no cycles). Left alone when the
    application has disabled the collector itself; always re-enabled afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _RecordState:
    """What the issues of one record share: its child id and its indexed lineage, each found once if needed."""

    __slots__ = ("_child", "_child_known", "_locator", "index", "record")

    def __init__(self, record: ChildRecord, index: int) -> None:
        self.record = record
        self.index = index
        self._child: str | None = None
        self._child_known = False
        self._locator: Locator | None = None

    def child(self) -> str | None:
        if not self._child_known:
            self._child = _child_id(self.record)
            self._child_known = True
        return self._child

    def locator(self) -> Locator:
        locator = self._locator
        if locator is None:
            locator = self._locator = Locator(self.record.lineage)
        return locator
