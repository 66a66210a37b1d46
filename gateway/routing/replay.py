"""Replay: run stored messages through the current readers, mappings and rules again — or first see what
that would change.

:func:`plan_replay` re-processes a stored message's raw payload *without writing anything* and compares
the result with the stored outcome: the outcome, the issues that would appear or disappear (rule and
location), the records added, removed or changed (which fields, as JSON pointers — never values), and
where the new events would go. :func:`replay_message` does it for real: the new outcome replaces the
stored one and its events (with new, higher versions) go out through the outbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection

from gateway.access import Caller
from gateway.audit import AuditEntry
from gateway.intake import Intake
from gateway.model import ChildRecord, Issue, SourceLocation
from gateway.pipeline import ProcessResult
from gateway.routing.router import Routing
from gateway.routing.topology import Names
from gateway.transport import Topology

__all__ = ["RecordChange", "ReplayPlan", "diff_records", "plan_replay", "replay_message"]


@dataclass(frozen=True, slots=True)
class RecordChange:
    record: str
    """The record's position and, when it has one, the council's own child id."""
    change: Literal["added", "removed", "changed"]
    fields: tuple[str, ...] = ()
    """JSON pointers of the fields whose values differ (for ``changed``)."""


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    message_id: str
    old_outcome: str
    new_outcome: str
    issues_added: tuple[str, ...]
    issues_removed: tuple[str, ...]
    records: tuple[RecordChange, ...]
    routes: tuple[tuple[str, int, tuple[str, ...]], ...]
    """``(kind, how many, queues reached)`` of what the replay would send."""

    @property
    def changes_anything(self) -> bool:
        return bool(self.old_outcome != self.new_outcome or self.issues_added or self.issues_removed or self.records)


def _where(location: SourceLocation | None) -> str:
    if location is None:
        return ""
    parts = [location.file or ""]
    if location.line is not None:
        parts.append(f"line {location.line}")
    if location.row is not None:
        parts.append(f"row {location.row}")
    if location.column:
        parts.append(f"column {location.column}")
    if location.path:
        parts.append(location.path)
    return " ".join(part for part in parts if part)


def _issue_key(issue: Issue) -> str:
    where = _where(issue.location) or issue.canonical_path or ""
    return f"{issue.severity} {issue.rule}" + (f" at {where}" if where else "")


def _record_key(record: ChildRecord, position: int) -> tuple[str, str]:
    if record.child.local_ids:
        local = record.child.local_ids[0]
        return f"{local.la_code}/{local.la_child_id}", f"record {position} (LA child id {local.la_child_id})"
    return f"#{position}", f"record {position}"


def _pointers(old: Any, new: Any, path: str, out: list[str], depth: int = 0) -> None:
    if old == new:
        return
    if depth < 4 and isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            _pointers(old.get(key), new.get(key), f"{path}/{key}", out, depth + 1)
        return
    if depth < 4 and isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (left, right) in enumerate(zip(old, new, strict=True)):
            _pointers(left, right, f"{path}/{index}", out, depth + 1)
        return
    out.append(path or "/")


def diff_records(old: Sequence[ChildRecord], new: Sequence[ChildRecord]) -> tuple[RecordChange, ...]:
    """Records added, removed and changed (lineage aside), matched by the council's child id or position."""
    before = {_record_key(record, i)[0]: (record, _record_key(record, i)[1]) for i, record in enumerate(old)}
    after = {_record_key(record, i)[0]: (record, _record_key(record, i)[1]) for i, record in enumerate(new)}
    changes: list[RecordChange] = []
    for key, (record, label) in after.items():
        if key not in before:
            changes.append(RecordChange(label, "added"))
            continue
        fields: list[str] = []
        _pointers(
            before[key][0].model_dump(mode="json", exclude={"lineage"}, exclude_none=True),
            record.model_dump(mode="json", exclude={"lineage"}, exclude_none=True),
            "",
            fields,
        )
        if fields:
            changes.append(RecordChange(label, "changed", tuple(fields)))
    changes.extend(RecordChange(label, "removed") for key, (_, label) in before.items() if key not in after)
    return tuple(changes)


def _routes(routing: Routing | None, topology: Topology, names: Names) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    if routing is None:
        return ()
    counts: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for event in routing.events:
        counts[(event.kind, topology.queues_for(names.events_exchange, f"{event.kind}.{event.la_code}"))] += 1
    for delivery in routing.deliveries:
        counts[(f"{delivery.format_id} for {delivery.supplier}", (names.supplier_queue(delivery.supplier),))] += 1
    return tuple((kind, count, queues) for (kind, queues), count in counts.items())


def _plan(intake: Intake, message_id: str, new: ProcessResult, topology: Topology, names: Names) -> ReplayPlan:
    stored = intake.store.get(message_id)
    old_message = intake.store.canonical(message_id)
    old_issues = {_issue_key(issue) for issue in (old_message.issues if old_message else ())}
    new_issues = {_issue_key(issue) for issue in new.message.issues}
    return ReplayPlan(
        message_id=message_id,
        old_outcome=stored.status if stored is not None else "unknown",
        new_outcome=new.outcome,
        issues_added=tuple(sorted(new_issues - old_issues)),
        issues_removed=tuple(sorted(old_issues - new_issues)),
        records=diff_records(old_message.records if old_message else (), new.message.records),
        routes=_routes(intake.plan(new), topology, names),
    )


def plan_replay(intake: Intake, message_id: str, *, topology: Topology, names: Names) -> ReplayPlan:
    """What replaying the message would change, computed from its stored raw payload (nothing is written)."""
    return _plan(intake, message_id, intake.reprocess(message_id, record=False), topology, names)


def replay_message(
    intake: Intake, message_id: str, *, topology: Topology, names: Names, by: Caller | None = None
) -> ReplayPlan:
    """Replay the message: record the new outcome and send its events; returns what changed.

    ``by`` (the operator) is audited as ``message.replay`` in the same transaction as the new outcome.
    """
    plan = plan_replay(intake, message_id, topology=topology, names=names)  # before the stored outcome changes

    def audited(conn: Connection, result: ProcessResult) -> None:
        if by is not None:
            entry = AuditEntry.by(by, "message.replay", "operator replay", result.outcome, subject=message_id)
            intake.store.audit.append(conn, entry)

    intake.reprocess(message_id, record=True, also=audited if by is not None else None)
    return plan
