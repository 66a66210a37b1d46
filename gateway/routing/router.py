"""Content-based routing as a pure function: what a processed message sends where.

An **accepted** message yields, per child record (:func:`record_events`) — except a record *held* for review
as a possible duplicate (identity resolution's ``held`` positions), which sends nothing until a person has
decided who the child is (:mod:`gateway.routing.release` sends it then):

* ``directory.child.upsert`` with the directory view only (:func:`gateway.views.directory_update`: the
  ContactPoint data set, shielding applied) — or, when the supplier flagged the record for purging,
  ``directory.child.purge`` and ``caf.child.purge`` (the CAF store deletes the CAFs this council sent about
  the child) and nothing else for that child;
* ``caf.assessment.upsert`` for **every** CAF, with or without a consent: the CAF store is where a CAF is
  kept and where reading it is decided (:func:`gateway.consent.caf_read_basis`) — its lead professional and
  the assessor's organisation may read it without a consent; any other agency only inside an active
  ``caf_sharing`` consent's scope. Routing a CAF to the store is therefore not sharing it. And
  ``caf.consent.withdrawn`` for each withdrawn consent (with the deterministic id from
  :func:`gateway.consent.withdrawal_event_id`, so copies deduplicate); the store keeps withdrawals sticky,
  so a replayed older copy of the CAF cannot share it again;

plus, for each receiving supplier subscribed to the message's LA (not the sender), the records written in
that supplier's own format by the plugin registry's writer — **without their CAFs** (:func:`for_receivers`):
a CAF is shared only through the CAF store, which checks consent and the reader's relationship at every
read and keeps withdrawals sticky; a copy pushed to a supplier could not be recalled when consent is
withdrawn. The directory's CAF indicator tells other services that a CAF exists and who holds it.

A **rejected** message yields one ``message.rejected`` event carrying its issues — never its content.

Versions and event ids are assigned later, in the outbox transaction (:mod:`gateway.routing.outbox`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.consent import CafUpdate, ConsentWithdrawal, withdrawal_event_id
from gateway.errors import ConfigurationError
from gateway.events import EventKind
from gateway.formats import FormatWriter
from gateway.model import CanonicalMessage, ChildRecord, Issue
from gateway.pipeline import Outcome
from gateway.settings import Subscription
from gateway.views import directory_refusals, directory_update

__all__ = [
    "PlannedDelivery",
    "PlannedEvent",
    "Router",
    "Routing",
    "child_subject",
    "for_receivers",
    "record_events",
    "route",
]

_MAX_SUBJECT = 128


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """An event to send, before the outbox gives it an id (unless fixed here) and a version."""

    kind: EventKind
    subject: str
    la_code: str
    payload: Mapping[str, Any]
    event_id: str | None = None
    """Fixed id for events that must deduplicate across messages (consent withdrawals); else assigned."""
    ordered_by: str | None = None
    """A child subject this event is ordered against: the outbox stamps that subject's newest version on the
    event (``Event.child_version``), so a CAF upsert written before a ``caf.child.purge`` stays stale."""


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """A message for a receiving supplier, already written in its format."""

    supplier: str
    format_id: str
    media_type: str
    la_code: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Routing:
    """Everything one processed message sends, and the warnings routing found (e.g. withheld involvements)."""

    events: tuple[PlannedEvent, ...] = ()
    deliveries: tuple[PlannedDelivery, ...] = ()
    issues: tuple[Issue, ...] = ()


def _bounded(prefix: str, value: str) -> str:
    text = f"{prefix}{value}"
    if len(text) <= _MAX_SUBJECT:
        return text
    return f"{prefix}sha256:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


def child_subject(record: ChildRecord, message_id: str, position: int) -> str:
    """The subject (gateway child id) of a record's directory events.

    Identity resolution sets ``child.child_id``. Until it has, the council's own id gives a stable
    provisional id (a digest of LA number and LA child id, so the same child from the same council always
    gets the same subject and no identifier travels in it); a record with neither is keyed by its message.
    """
    if record.child.child_id:
        return _bounded("", record.child.child_id)
    if record.child.local_ids:
        local = record.child.local_ids[0]
        digest = hashlib.sha256(f"{local.la_code}\x00{local.la_child_id}".encode()).hexdigest()[:32]
        return f"lc-{digest}"
    digest = hashlib.sha256(f"{message_id}\x00{position}".encode()).hexdigest()[:32]
    return f"msg-{digest}"


def _with_child_id(record: ChildRecord, child_id: str) -> ChildRecord:
    if record.child.child_id == child_id:
        return record
    return record.model_copy(update={"child": record.child.model_copy(update={"child_id": child_id})})


def _caf_events(record: ChildRecord, child_id: str, la_code: str, at: datetime) -> list[PlannedEvent]:
    events: list[PlannedEvent] = []
    for caf in record.caf_assessments:
        subject = _bounded("caf:", caf.caf_id)
        payload = CafUpdate(child_id=child_id, assessment=caf).model_dump(mode="json", exclude_none=True)
        events.append(PlannedEvent("caf.assessment.upsert", subject, la_code, payload, ordered_by=child_id))
        for consent in caf.consents:
            if consent.purpose != "caf_sharing" or consent.withdrawn_at is None or consent.withdrawn_at > at:
                continue
            withdrawal = ConsentWithdrawal(
                caf_id=caf.caf_id,
                consent_id=consent.consent_id,
                withdrawn_at=consent.withdrawn_at,
                scope=consent.scope,
            )
            events.append(
                PlannedEvent(
                    "caf.consent.withdrawn",
                    subject,
                    la_code,
                    withdrawal.model_dump(mode="json", exclude_none=True),
                    event_id=withdrawal_event_id(caf.caf_id, consent.consent_id),
                )
            )
    return events


def _rejection(message: CanonicalMessage) -> PlannedEvent:
    envelope = message.envelope
    payload = {
        "message_id": envelope.message_id,
        "supplier_id": envelope.supplier_id,
        "format_id": envelope.format_id,
        "format_version": envelope.format_version,
        "received_at": envelope.received_at.isoformat(),
        "issues": [issue.model_dump(mode="json", exclude_none=True) for issue in message.issues],
    }
    return PlannedEvent("message.rejected", _bounded("", envelope.message_id), envelope.la_code, payload)


def for_receivers(record: ChildRecord) -> ChildRecord:
    """``record`` as a receiving supplier may have it: its CAFs (and their lineage) removed."""
    if not record.caf_assessments:
        return record
    lineage = tuple(
        source
        for source in record.lineage
        if source.field != "/caf_assessments" and not source.field.startswith("/caf_assessments/")
    )
    return record.model_copy(update={"caf_assessments": (), "lineage": lineage})


def _deliveries(
    message: CanonicalMessage, subscriptions: Iterable[Subscription], writers: Mapping[str, FormatWriter]
) -> list[PlannedDelivery]:
    envelope = message.envelope
    found: list[PlannedDelivery] = []
    records: list[ChildRecord] | None = None
    for subscription in subscriptions:
        if subscription.supplier == envelope.supplier_id:
            continue  # never echo a message back to its sender
        if subscription.la_codes and envelope.la_code not in subscription.la_codes:
            continue
        writer = writers.get(subscription.format)
        if writer is None:
            raise ConfigurationError(
                f"subscription of {subscription.supplier!r} names format {subscription.format!r}, "
                "which no loaded plugin can write"
            )
        if records is None:
            records = [for_receivers(record) for record in message.records]
        body = writer.write(records)
        found.append(
            PlannedDelivery(subscription.supplier, writer.format_id, writer.media_type, envelope.la_code, body)
        )
    return found


def record_events(
    record: ChildRecord, subject: str, la_code: str, *, at: datetime, source: str | None = None
) -> list[PlannedEvent]:
    """One accepted record's events: its directory upsert (or purge) and its CAF events, under ``subject``.

    ``source`` names the supplier record the directory view comes from (identity resolution's record id), so
    the directory keeps it beside other suppliers' views of the same child instead of replacing them.
    """
    if record.purge:
        return [
            PlannedEvent("directory.child.purge", subject, la_code, {}),
            PlannedEvent("caf.child.purge", subject, la_code, {}),
        ]
    resolved = _with_child_id(record, subject)
    update = directory_update(resolved, at=at, source=source)
    return [
        PlannedEvent("directory.child.upsert", subject, la_code, update.model_dump(mode="json", exclude_none=True)),
        *_caf_events(resolved, subject, la_code, at),
    ]


def route(
    message: CanonicalMessage,
    outcome: Outcome,
    *,
    at: datetime,
    subscriptions: Sequence[Subscription] = (),
    writers: Mapping[str, FormatWriter] | None = None,
    held: Collection[int] = (),
) -> Routing:
    """What ``message`` sends where (pure: no I/O, no clock — ``at`` is the routing time).

    Records at the ``held`` positions (possible duplicates awaiting a person) send no directory or CAF event;
    what the directory would leave out of them is still reported now.
    """
    if outcome == "rejected":
        return Routing(events=(_rejection(message),))
    from gateway.matching.resolution import record_id_for  # noqa: PLC0415 - matching loads only where routing runs

    envelope = message.envelope
    events: list[PlannedEvent] = []
    issues: list[Issue] = []
    for position, record in enumerate(message.records):
        subject = child_subject(record, envelope.message_id, position)
        if not record.purge:
            issues.extend(directory_refusals(record, at=at, record_index=position))
        if position not in held:
            source = record_id_for(envelope, record)
            events.extend(record_events(record, subject, envelope.la_code, at=at, source=source))
    deliveries = _deliveries(message, subscriptions, writers or {}) if message.records else []
    return Routing(events=tuple(events), deliveries=tuple(deliveries), issues=tuple(issues))


@dataclass(frozen=True)
class Router:
    """:func:`route` bound to the configured subscriptions and the registry's writers."""

    subscriptions: tuple[Subscription, ...] = ()
    writers: Mapping[str, FormatWriter] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise :class:`ConfigurationError` when a subscription names a format no writer produces."""
        for subscription in self.subscriptions:
            if subscription.format not in self.writers:
                known = ", ".join(sorted(self.writers)) or "none"
                raise ConfigurationError(
                    f"subscription of {subscription.supplier!r} names format {subscription.format!r}; "
                    f"formats that can be written: {known}"
                )

    def __call__(
        self, message: CanonicalMessage, outcome: Outcome, at: datetime, held: Collection[int] = ()
    ) -> Routing:
        return route(message, outcome, at=at, subscriptions=self.subscriptions, writers=self.writers, held=held)
