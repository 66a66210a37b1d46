"""Shared pieces for routing tests: synthetic children, a routed Intake, and a simple reference store."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import orjson

from adapters.canonical.jsonl import CanonicalJsonlReader, CanonicalJsonlWriter
from gateway.events import Event
from gateway.inbox import ApplyResult
from gateway.intake import Intake
from gateway.model import (
    Address,
    CafAssessment,
    Carer,
    Child,
    ChildRecord,
    Consent,
    ContactDetail,
    LocalId,
    PersonName,
)
from gateway.plugins import Plugin, load_registry
from gateway.routing.outbox import Outbox
from gateway.routing.router import Router
from gateway.routing.topology import Names
from gateway.settings import Subscription
from gateway.storage import Database, MessageStore

__all__ = ["MemoryStore", "child", "jsonl", "routed_intake"]

GIVEN = ("Ada", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo")


def child(
    number: int,
    *,
    la_code: str = "201",
    shielded: bool = False,
    purge: bool = False,
    caf_consent: Literal["active", "withdrawn", "unconsented", "none"] = "active",
    family: str = "Test",
) -> ChildRecord:
    """A synthetic child (invented names; NHS-number-free), optionally with a CAF (under a consent, a withdrawn
    one, or none: ``unconsented``); ``none`` means no CAF at all."""
    consents: tuple[Consent, ...] = ()
    given_at = datetime(2025, 1, 1, tzinfo=UTC)
    if caf_consent == "active":
        consents = (Consent(consent_id=f"K{number}", given_by_role="parent", scope=("ORG1",), given_at=given_at),)
    elif caf_consent == "withdrawn":
        consents = (
            Consent(
                consent_id=f"K{number}",
                given_by_role="parent",
                scope=("ORG1",),
                given_at=given_at,
                withdrawn_at=given_at + timedelta(days=30),
            ),
        )
    cafs = () if caf_consent == "none" else (CafAssessment(caf_id=f"CAF{number}", consents=consents),)
    return ChildRecord(
        child=Child(
            local_ids=(LocalId(la_code=la_code, la_child_id=f"C{number:06d}"),),
            names=(PersonName(given=(GIVEN[number % len(GIVEN)],), family=f"{family}-{number}"),),
            birth_date=date(2015, 1, 1) + timedelta(days=number % 3000),
            sex="F" if number % 2 else "M",
            addresses=(Address(lines=(f"{number} Example Street",), postcode="EC1A 1BB"),),
            shielded=shielded,
        ),
        carers=(
            Carer(
                names=(PersonName(given=("Pat",), family=f"{family}-{number}"),),
                relationship="mother",
                contacts=(ContactDetail(system="phone", value="01632 960000"),),
            ),
        ),
        caf_assessments=cafs,
        purge=purge,
    )


def jsonl(records: Sequence[ChildRecord]) -> bytes:
    return CanonicalJsonlWriter().write(records)


def routed_intake(
    database: Database, *, prefix: str = "ecm", subscriptions: Sequence[Subscription] = ()
) -> tuple[Intake, Outbox]:
    """An Intake that reads canonical JSON Lines and routes through the outbox (no conformance checks)."""
    registry = load_registry(
        entry_points_=[],
        extra=[Plugin(name="canonical", readers=(CanonicalJsonlReader(),), writers=(CanonicalJsonlWriter(),))],
    )
    outbox = Outbox(database, Names(prefix))
    router = Router(subscriptions=tuple(subscriptions), writers=dict(registry.writers))
    return Intake(registry=registry, store=MessageStore(database), router=router, outbox=outbox), outbox


@dataclass
class MemoryStore:
    """A reference store with an inbox and per-subject versions; a batch is all-or-nothing.

    ``state[subject]`` is the newest applied payload (``None`` after a purge); ``applied`` counts the
    applications of each event id (must never exceed one).
    """

    state: dict[str, dict[str, object] | None] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    inbox: set[str] = field(default_factory=set)
    applied: dict[str, int] = field(default_factory=dict)
    fail_on: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def apply_batch(self, events: Sequence[Event]) -> list[ApplyResult]:
        with self.lock:
            state, versions, inbox = dict(self.state), dict(self.versions), set(self.inbox)
            results = []
            for event in events:
                if event.event_id in self.fail_on:
                    raise RuntimeError("poison")
                if event.event_id in inbox:
                    results.append(ApplyResult(event.event_id, "duplicate"))
                    continue
                inbox.add(event.event_id)
                if versions.get(event.subject, -1) >= event.version:
                    results.append(ApplyResult(event.event_id, "stale"))
                    continue
                versions[event.subject] = event.version
                state[event.subject] = None if event.kind.endswith(".purge") else dict(event.payload)
                results.append(ApplyResult(event.event_id, "applied"))
            self.state, self.versions, self.inbox = state, versions, inbox
            for event, result in zip(events, results, strict=True):
                if result.outcome != "duplicate":
                    self.applied[event.event_id] = self.applied.get(event.event_id, 0) + 1
            return results


def payload_bytes(event: Event) -> bytes:
    return orjson.dumps(event.payload, option=orjson.OPT_SORT_KEYS)
