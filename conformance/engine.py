"""The rule engine: runs a profile's rules over a stream of child records and yields issues.

The engine never raises on bad data. Each rule outcome becomes an :class:`~gateway.Issue` with the rule's
id, the profile's severity for it, the rule's message (never a value from the file), the location in the
supplier's file found through the record's lineage (the :class:`~gateway.FieldSource` of the field the
rule reports), the canonical path and the LA child id. "Could not be evaluated" is reported once per
rule and file, at information level. A rule that fails unexpectedly is reported as an issue of that rule
(never a silent pass) and logged without the record's content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from gateway import (
    CheckContext,
    ChildRecord,
    DirectoryLookup,
    DirectoryRule,
    Entry,
    FieldSource,
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


def locate(record: ChildRecord, pointer: str) -> SourceLocation | None:
    """Where ``pointer`` (a JSON pointer into ``record``) came from in the supplier's file.

    The field's own lineage when it was set; otherwise the first lineage entry inside it (a part such as
    ``/assessments/0``), else of its nearest enclosing part (for a missing field, the element that should
    have held it); else the record's own entry (``""``), else ``None``.
    """
    return _Lineage(record.lineage).locate(pointer)


class _Lineage:
    """A record's lineage, searched in order (exact field first); indexed once a record needs several lookups."""

    __slots__ = ("_by_field", "_entries", "_lookups")

    def __init__(self, entries: Sequence[FieldSource]) -> None:
        self._entries = entries
        self._by_field: dict[str, SourceLocation] | None = None
        self._lookups = 0

    def _exact(self, field: str) -> SourceLocation | None:
        self._lookups += 1
        if self._by_field is None and self._lookups > 2:
            self._by_field = {}
            for entry in reversed(self._entries):
                self._by_field[entry.field] = entry.source
        if self._by_field is not None:
            return self._by_field.get(field)
        for entry in self._entries:
            if entry.field == field:
                return entry.source
        return None

    def locate(self, pointer: str) -> SourceLocation | None:
        found = self._exact(pointer)
        if found is not None or not self._entries:
            return found
        target = pointer
        while True:
            inside = target + "/"
            for entry in self._entries:
                if entry.field.startswith(inside):
                    return entry.source
            if not target:
                return None
            target = target.rsplit("/", 1)[0]
            found = self._exact(target)
            if found is not None:
                return found


def _child_id(record: ChildRecord) -> str | None:
    ids = record.child.local_ids
    return ids[0].la_child_id if ids else None


def _file_of(record: ChildRecord) -> str | None:
    for entry in record.lineage:
        if entry.source.file:
            return entry.source.file
    return None


@dataclass
class Session:
    """One check of one submission: feed records in order with :meth:`record`, then call :meth:`finish`."""

    rules: Sequence[ActiveRule]
    context: CheckContext
    directory: DirectoryLookup | None = None
    default_file: str | None = None
    """The file to name when a record has no lineage (a one-file submission)."""
    path_prefix: str = "/records"
    count: int = 0
    _checks: list[tuple[ActiveRule, RecordRule]] = field(default_factory=list)
    _parts: tuple[str, ...] = ()
    _by_shape: dict[tuple[bool, ...], list[tuple[ActiveRule, _Check]]] = field(default_factory=dict)
    _directory_rules: list[tuple[ActiveRule, DirectoryRule]] = field(default_factory=list)
    _submission_rules: list[tuple[ActiveRule, SubmissionRule]] = field(default_factory=list)
    _entries: dict[str, list[Entry[Any]]] = field(default_factory=dict)
    _not_evaluated: set[tuple[str, str | None]] = field(default_factory=set)
    _lineage: _Lineage | None = None

    def __post_init__(self) -> None:
        for active in self.rules:
            rule = active.rule
            if isinstance(rule, RecordRule):
                self._checks.append((active, rule))
            elif isinstance(rule, DirectoryRule):
                self._directory_rules.append((active, rule))
            else:
                self._submission_rules.append((active, rule))
                self._entries[rule.id] = []
        self._parts = tuple(sorted({part for _, rule in self._checks for part in rule.applies_to}))

    def _checks_for(self, record: ChildRecord) -> list[tuple[ActiveRule, _Check]]:
        """The record rules with something to judge in ``record`` (by which of its parts are non-empty)."""
        shape = tuple(bool(getattr(record, part)) for part in self._parts)
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
        issues: list[Issue] = []
        context = self.context
        self._lineage = None
        for active, check in self._checks_for(record):
            try:
                for outcome in check(record, context):
                    issue = self._issue(active, outcome, record, index)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:  # a defect in a rule must not stop the check or pass silently
                issues.append(self._failed(active, exc, record, index))
        directory = self.directory
        for active, rule in self._directory_rules:
            try:
                outcomes = (_NO_DIRECTORY,) if directory is None else rule.check(record, context, directory)
                for outcome in outcomes:
                    issue = self._issue(active, outcome, record, index)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:
                issues.append(self._failed(active, exc, record, index))
        child: str | None = None
        for active, submission_rule in self._submission_rules:
            try:
                kept = self._entries[submission_rule.id]
                for pointer, value in submission_rule.summarise(record, context):
                    if child is None:
                        child = _child_id(record)
                    location = self._location(record, pointer) if submission_rule.located else None
                    kept.append(Entry(value, index, child, pointer, location))
            except Exception as exc:
                issues.append(self._failed(active, exc, record, index))
        return issues

    def _location(self, record: ChildRecord, pointer: str) -> SourceLocation | None:
        lineage = self._lineage
        if lineage is None:
            lineage = self._lineage = _Lineage(record.lineage)
        location = lineage.locate(pointer)
        if location is None and self.default_file is not None:
            return SourceLocation(file=self.default_file)
        return location

    def _issue(self, active: ActiveRule, outcome: object, record: ChildRecord, index: int) -> Issue | None:
        rule = active.rule
        if isinstance(outcome, Finding):
            message = rule.message if outcome.detail is None else f"{rule.message} ({outcome.detail})"
            return Issue(
                rule=rule.id,
                severity=active.severity,
                message=message,
                location=self._location(record, outcome.field),
                canonical_path=f"{self.path_prefix}/{index}{outcome.field}",
                child=_child_id(record),
            )
        if isinstance(outcome, NotEvaluated):
            return self._not_evaluated_issue(rule, outcome, _file_of(record) or self.default_file)
        raise TypeError(f"rule {rule.id} returned a {type(outcome).__name__}, not a Finding or NotEvaluated")

    def _not_evaluated_issue(self, rule: Rule, outcome: NotEvaluated, file: str | None) -> Issue | None:
        key = (rule.id, file)
        if key in self._not_evaluated:
            return None
        self._not_evaluated.add(key)
        return Issue(
            rule=rule.id,
            severity="information",
            message=f"could not be evaluated for this file: {outcome.reason}",
            location=SourceLocation(file=file) if file else None,
        )

    def _failed(self, active: ActiveRule, exc: Exception, record: ChildRecord | None, index: int | None) -> Issue:
        logger.error("rule failed", extra={"rule_id": active.rule.id, "error": type(exc).__name__}, exc_info=False)
        return Issue(
            rule=active.rule.id,
            severity=active.severity,
            message=_RULE_FAILED,
            location=SourceLocation(file=(_file_of(record) if record else None) or self.default_file),
            canonical_path=f"{self.path_prefix}/{index}" if index is not None else None,
            child=_child_id(record) if record is not None else None,
        )

    # -- whole submission ------------------------------------------------------------------------------

    def finish(self) -> list[Issue]:
        """The issues the submission-level rules find, once every record has been fed."""
        issues: list[Issue] = []
        for active, rule in self._submission_rules:
            try:
                for outcome in rule.judge(self._entries[rule.id], self.context):
                    issue = self._judged(active, outcome)
                    if issue is not None:
                        issues.append(issue)
            except Exception as exc:
                issues.append(self._failed(active, exc, None, None))
        return issues

    def _judged(self, active: ActiveRule, outcome: object) -> Issue | None:
        rule = active.rule
        if isinstance(outcome, Entry):
            return Issue(
                rule=rule.id,
                severity=active.severity,
                message=rule.message,
                location=outcome.location,
                canonical_path=f"{self.path_prefix}/{outcome.record}{outcome.field}",
                child=outcome.child,
            )
        if isinstance(outcome, Finding):
            message = rule.message if outcome.detail is None else f"{rule.message} ({outcome.detail})"
            return Issue(
                rule=rule.id,
                severity=active.severity,
                message=message,
                location=SourceLocation(file=self.default_file) if self.default_file else None,
            )
        if isinstance(outcome, NotEvaluated):
            return self._not_evaluated_issue(rule, outcome, self.default_file)
        raise TypeError(f"rule {rule.id} judged a {type(outcome).__name__}")

    def check_all(self, records: Iterable[ChildRecord]) -> Iterator[Issue]:
        """Every issue the rules find in ``records`` (a convenience over :meth:`record` and :meth:`finish`)."""
        for record in records:
            yield from self.record(record)
        yield from self.finish()
