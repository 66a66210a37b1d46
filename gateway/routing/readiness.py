"""Readiness checks (the HTTP app of issue #8 serves them as ``/health/ready``; ``/health/live`` is just "the
process answers").

The gateway is **ready** when it can accept messages: its database answers and is migrated. A broker that
is down or blocking does *not* make it unready — intake keeps writing to the outbox and the relay catches
up — it makes it **degraded**, as does an outbox lagging more than ``max_lag`` seconds or a missing queue.
Load balancers route on ``ready``; alerts fire on ``degraded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import GatewayError
from gateway.routing.outbox import Outbox
from gateway.storage import Database
from gateway.storage.tables import messages
from gateway.transport import Topology, Transport

__all__ = [
    "CheckResult",
    "Readiness",
    "check_database",
    "check_outbox",
    "check_topology",
    "check_transport",
    "readiness",
]


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    critical: bool
    """A failed critical check makes the gateway unready; a failed other check makes it degraded."""


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: tuple[CheckResult, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks if check.critical)

    @property
    def degraded(self) -> bool:
        return any(not check.ok for check in self.checks)

    def as_dict(self) -> dict[str, object]:
        """The JSON body of ``/health/ready`` (no personal data, no URLs)."""
        return {
            "ready": self.ready,
            "degraded": self.degraded,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


def check_database(database: Database) -> CheckResult:
    try:
        with database.engine.connect() as conn:
            conn.execute(select(messages.c.message_id).limit(1))
    except SQLAlchemyError as exc:
        return CheckResult("database", False, f"unreachable or not migrated ({type(exc).__name__})", True)
    return CheckResult("database", True, f"{database.dialect} answers", True)


def check_transport(transport: Transport) -> CheckResult:
    try:
        transport.check()
    except GatewayError as exc:
        return CheckResult("transport", False, f"{transport.kind}: {exc}; messages wait in the outbox", False)
    blocked = bool(getattr(transport, "blocked", False))
    if blocked:
        return CheckResult("transport", False, "broker blocks publishing (resource alarm)", False)
    return CheckResult("transport", True, f"{transport.kind} answers", False)


def check_topology(transport: Transport, topology: Topology, queues: Sequence[str] = ()) -> CheckResult:
    names = list(queues) or [spec.name for spec in topology.queues if spec.dead_letter_queue is not None]
    try:
        for name in names:
            transport.queue_depth(name)
    except GatewayError:
        return CheckResult("topology", False, "a queue is missing; run: ecm-gateway broker setup", False)
    return CheckResult("topology", True, f"{len(names)} queues declared", False)


def check_outbox(outbox: Outbox, max_lag: float) -> CheckResult:
    try:
        stats = outbox.stats()
    except SQLAlchemyError as exc:
        return CheckResult("outbox", False, f"unreadable ({type(exc).__name__})", False)
    ok = stats.oldest_pending_age <= max_lag
    detail = f"{stats.pending} pending, oldest {stats.oldest_pending_age:.0f} s"
    return CheckResult("outbox", ok, detail if ok else detail + f" (over {max_lag:.0f} s)", False)


def readiness(
    database: Database,
    *,
    transport: Transport | None = None,
    topology: Topology | None = None,
    outbox: Outbox | None = None,
    max_lag: float = 300.0,
) -> Readiness:
    """Run every check that applies."""
    checks = [check_database(database)]
    if transport is not None:
        transport_check = check_transport(transport)
        checks.append(transport_check)
        if topology is not None and transport_check.ok:
            checks.append(check_topology(transport, topology))
    if outbox is not None:
        checks.append(check_outbox(outbox, max_lag))
    return Readiness(tuple(checks))
