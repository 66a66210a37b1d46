"""Routing's composition root: transport, topology, outbox, relay, consumers and stores, from settings.

The only place routing's parts meet the adapters (``adapters.transports``) and the stores; imported by
the CLI commands (and by the HTTP app of issue #8 when it lands). Nothing here runs at import time.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gateway.access import Caller
from gateway.audit import AuditLog
from gateway.errors import ConfigurationError
from gateway.intake import Intake
from gateway.pipeline import Check
from gateway.plugins import Registry
from gateway.routing.consumer import ConsumerWorker, DeliveryProcessor, EventProcessor, Handler
from gateway.routing.deadletters import DeadLetterProcessor, DeadLetters
from gateway.routing.inbound import InboundProcessor
from gateway.routing.outbox import Outbox
from gateway.routing.relay import Relay
from gateway.routing.retention import RoutingCopies
from gateway.routing.router import Router
from gateway.routing.topology import Names, topology_from_settings
from gateway.settings import Settings
from gateway.storage import Database, MessageStore, open_database
from gateway.transport import Topology, Transport

if TYPE_CHECKING:
    from gateway.matching.resolution import IdentityResolver
    from gateway.routing.metrics import RoutingMetrics

__all__ = [
    "Gateway",
    "StoreName",
    "build_audit_log",
    "build_gateway",
    "build_message_store",
    "build_resolver",
    "build_routing",
    "build_transport",
    "operator_caller",
]

StoreName = Literal["directory", "caf"]


def operator_caller() -> Caller:
    """Who runs an operator command, for the audit log: the operating-system user (the gateway has no login
    of its own on the command line; restrict who may run it with the host's accounts)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (a bare container)
        user = f"uid-{os.getuid()}"
    return Caller(user_id=f"operator:{user}"[:128], organisation_code="operator")


def build_audit_log(settings: Settings) -> AuditLog:
    """The audit log, HMAC-keyed with ``ECM_AUDIT_KEY`` when set. Every writer of the log must use this one:
    entries written without the key would not verify against it."""
    return AuditLog(
        key=settings.audit_key_bytes(),
        previous_keys=settings.audit_previous_key_bytes(),
        unkeyed_through=settings.audit_unkeyed_through,
    )


def build_message_store(settings: Settings, database: Database) -> MessageStore:
    """The message store: purges remove routing's copies too, and are audited in the configured log."""
    return MessageStore(database, audit=build_audit_log(settings), copies=RoutingCopies())


def build_routing(settings: Settings, registry: Registry, database: Database) -> tuple[Router, Outbox]:
    """The router (subscriptions checked against the registry's writers) and the outbox."""
    router = Router(subscriptions=settings.subscriptions, writers=dict(registry.writers))
    try:
        router.validate()
    except ConfigurationError as exc:
        raise ConfigurationError(f"ECM_SUBSCRIPTIONS: {exc}") from exc
    return router, Outbox(database, Names(settings.broker_prefix))


def build_resolver(
    database: Database, store: MessageStore, outbox: Outbox, *, audit: AuditLog | None = None
) -> IdentityResolver:
    """Identity resolution against the directory's index in ``database``: held records are released through
    ``outbox`` when a person decides, a record a decision takes out of a child is recalled from it
    (``directory.child.move``), and a message rejected only by the possible-duplicate rule (a profile made it
    MUST) still has its possible duplicates put before a person."""
    from conformance.packs.ics_1b.possible_duplicate import RULE  # noqa: PLC0415 - composition root
    from gateway.matching import ReviewQueue  # noqa: PLC0415 - loaded only where messages are processed
    from gateway.matching.resolution import IdentityResolver  # noqa: PLC0415
    from gateway.routing.release import HeldRecordRelease, MovedRecordRecall  # noqa: PLC0415

    queue = ReviewQueue(
        database, release=HeldRecordRelease(store, outbox), moved=MovedRecordRecall(outbox), audit=audit or store.audit
    )
    return IdentityResolver(queue, review_rule=RULE.id)


def build_transport(settings: Settings, database: Database, topology: Topology) -> Transport:
    """RabbitMQ when ``ECM_BROKER_URL`` is set, else the local transport in ``database``."""
    if settings.broker_url:
        from adapters.transports.rabbitmq import RabbitMQTransport  # noqa: PLC0415 - only when configured

        return RabbitMQTransport(settings.broker_url, topology=topology)
    from adapters.transports.local import LocalTransport  # noqa: PLC0415

    return LocalTransport(database, visibility_timeout=settings.local_visibility_timeout)


def _new_metrics() -> RoutingMetrics:
    from gateway.routing.metrics import RoutingMetrics  # noqa: PLC0415 - prometheus only where metrics are used

    return RoutingMetrics()


def _answers(database: Database) -> bool:
    try:
        with database.engine.connect() as conn:
            conn.execute(select(1))
    except SQLAlchemyError:
        return False
    return True


@dataclass
class Gateway:
    """Every routing part, built once per process."""

    settings: Settings
    database: Database
    registry: Registry
    intake: Intake
    outbox: Outbox
    names: Names
    topology: Topology
    resolver: IdentityResolver | None = None
    """Identity resolution (its ``queue`` is the review queue of possible duplicates)."""
    metrics: RoutingMetrics = field(default_factory=_new_metrics)
    _transport: Transport | None = None

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = build_transport(self.settings, self.database, self.topology)
        return self._transport

    @property
    def audit(self) -> AuditLog:
        """The audit log every store and job of this process appends to (keyed by ``ECM_AUDIT_KEY``)."""
        return self.intake.store.audit

    @property
    def dead_letters(self) -> DeadLetters:
        return DeadLetters(self.database, self.outbox)

    def declare(self) -> None:
        """Declare the topology (idempotent; at every start)."""
        self.transport.declare(self.topology)

    def relay(self) -> Relay:
        s = self.settings
        return Relay(
            self.outbox,
            self.transport,
            batch_size=s.relay_batch_size,
            confirm_timeout=s.publish_confirm_timeout,
            poll_interval=s.relay_poll_interval,
            metrics=self.metrics,
        )

    def store(self, name: StoreName) -> Handler:
        """The directory or CAF store on the gateway's database; the events they raise join this outbox."""
        if name == "directory":
            from gateway.directory.store import DirectoryStore  # noqa: PLC0415 - loaded only by its consumer

            return DirectoryStore(self.database, audit=self.audit, events=self.outbox)
        from gateway.caf.store import CafStore  # noqa: PLC0415

        return CafStore(self.database, audit=self.audit, events=self.outbox)

    def worker(self, queue: str, processor: DeliveryProcessor) -> ConsumerWorker:
        s = self.settings
        return ConsumerWorker(
            self.transport,
            queue,
            processor,
            prefetch=s.broker_prefetch,
            batch_size=s.consumer_batch_size,
            delivery_limit=s.delivery_limit,
            retry_delays=s.retry_delays,
            metrics=self.metrics,
        )

    def store_worker(self, name: StoreName) -> ConsumerWorker:
        database = self.database
        processor = EventProcessor(self.store(name), healthy=lambda: _answers(database))
        return self.worker(self.names.store_queue(name), processor)

    def inbound_worker(self) -> ConsumerWorker:
        return self.worker(self.names.inbound_queue, InboundProcessor(self.intake))

    def dead_letter_workers(self) -> list[ConsumerWorker]:
        """One collector per dead-letter queue."""
        processor = DeadLetterProcessor(self.dead_letters)
        return [self.worker(spec.name, processor) for spec in self.topology.queues if spec.dead_letter_queue is None]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self.database.dispose()


def build_gateway(
    settings: Settings,
    *,
    registry: Registry,
    checks: list[Check] | None = None,
    database_url: str | None = None,
    explicit_profile: str | None = None,
) -> Gateway:
    """All parts on the configured (or given) database, migrated to the newest schema.

    Without ``checks``, the configured profiles (or ``explicit_profile`` for every format) are checked with
    identity resolution answering the directory rules (``ics-1b/possible-duplicate``).
    """
    database = open_database(database_url or settings.effective_database_url)
    router, outbox = build_routing(settings, registry, database)
    store = build_message_store(settings, database)
    resolver = build_resolver(database, store, outbox)
    if checks is None:
        from gateway.cli.compose import build_checks  # noqa: PLC0415 - compose imports this module

        checks = build_checks(settings, registry, directory_for=resolver.lookup, explicit=explicit_profile)
    intake = Intake(registry=registry, store=store, checks=checks, router=router, outbox=outbox, resolver=resolver)
    return Gateway(
        settings=settings,
        database=database,
        registry=registry,
        intake=intake,
        outbox=outbox,
        names=outbox.names,
        topology=topology_from_settings(settings),
        resolver=resolver,
    )
