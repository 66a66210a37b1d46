"""The gateway's topology as code: every exchange, queue and binding, declared idempotently at start-up.

``build_topology`` is a pure function of the settings, so ``ecm-gateway broker setup``, the workers and the
tests declare exactly the same thing, and ``docs/operators/routing.md`` describes what it returns::

    <p>.inbound   fanout  suppliers publish raw messages here        -> queue <p>.inbound
    <p>.events    topic   canonical events, key <kind>.<la_code>     -> <p>.directory  (directory.child.#)
                                                                        <p>.caf        (caf.#)
                                                                        <p>.rejected   (message.rejected.#)
                                                                        <p>.alerts     (directory.shield.lifted.#)
    <p>.outbound  direct  supplier-format deliveries, key supplier   -> <p>.supplier.<supplier>
    <p>.dead      direct  dead letters, key = origin queue           -> <origin>.dead
    <p>.retry     direct  delayed retries (RabbitMQ TTL queues)      -> <origin>.retry.<n> -> back to <origin>

``<p>`` is ``ECM_BROKER_PREFIX`` (default ``ecm``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.settings import Settings, Subscription
from gateway.transport import BindingSpec, ExchangeSpec, QueueSpec, Topology

__all__ = ["Names", "build_topology", "topology_from_settings"]


@dataclass(frozen=True, slots=True)
class Names:
    """Exchange and queue names under one prefix."""

    prefix: str = "ecm"

    @property
    def inbound_exchange(self) -> str:
        return f"{self.prefix}.inbound"

    @property
    def events_exchange(self) -> str:
        return f"{self.prefix}.events"

    @property
    def outbound_exchange(self) -> str:
        return f"{self.prefix}.outbound"

    @property
    def dead_exchange(self) -> str:
        return f"{self.prefix}.dead"

    @property
    def retry_exchange(self) -> str:
        return f"{self.prefix}.retry"

    @property
    def inbound_queue(self) -> str:
        return f"{self.prefix}.inbound"

    @property
    def directory_queue(self) -> str:
        return f"{self.prefix}.directory"

    @property
    def caf_queue(self) -> str:
        return f"{self.prefix}.caf"

    @property
    def rejected_queue(self) -> str:
        return f"{self.prefix}.rejected"

    @property
    def alerts_queue(self) -> str:
        return f"{self.prefix}.alerts"

    def supplier_queue(self, supplier: str) -> str:
        return f"{self.prefix}.supplier.{supplier}"

    @staticmethod
    def dead_queue(queue: str) -> str:
        return f"{queue}.dead"

    def store_queue(self, store: str) -> str:
        """The queue a store consumes: ``directory`` or ``caf``."""
        if store == "directory":
            return self.directory_queue
        if store == "caf":
            return self.caf_queue
        raise ValueError(f"unknown store {store!r}; expected 'directory' or 'caf'")


def build_topology(
    names: Names,
    *,
    subscriptions: Iterable[Subscription] = (),
    delivery_limit: int = 5,
    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0),
    max_length: int | None = None,
) -> Topology:
    """The gateway's exchanges, queues (each with its dead-letter queue) and bindings."""
    exchanges = (
        ExchangeSpec(names.inbound_exchange, "fanout", "suppliers publish raw messages (AMQP intake)"),
        ExchangeSpec(names.events_exchange, "topic", "canonical events, routing key <kind>.<la_code>"),
        ExchangeSpec(names.outbound_exchange, "direct", "messages for receiving suppliers, key = supplier id"),
        ExchangeSpec(names.dead_exchange, "direct", "dead letters, key = origin queue"),
        ExchangeSpec(names.retry_exchange, "direct", "delayed retries, key = retry queue"),
    )
    work: list[tuple[str, str, BindingSpec]] = [
        (
            names.inbound_queue,
            "raw supplier messages for the intake consumer",
            BindingSpec(names.inbound_exchange, names.inbound_queue, ""),
        ),
        (
            names.directory_queue,
            "directory store: directory.child.upsert / directory.child.purge",
            BindingSpec(names.events_exchange, names.directory_queue, "directory.child.#"),
        ),
        (
            names.caf_queue,
            "CAF store: caf.assessment.upsert / caf.consent.withdrawn / caf.child.purge",
            BindingSpec(names.events_exchange, names.caf_queue, "caf.#"),
        ),
        (
            names.rejected_queue,
            "rejected messages with their issues (never content)",
            BindingSpec(names.events_exchange, names.rejected_queue, "message.rejected.#"),
        ),
        (
            names.alerts_queue,
            "alerts for safeguarding leads: a shielded child's shield was lifted (break glass)",
            BindingSpec(names.events_exchange, names.alerts_queue, "directory.shield.lifted.#"),
        ),
    ]
    seen: set[str] = set()
    for subscription in subscriptions:
        if subscription.supplier in seen:
            continue
        seen.add(subscription.supplier)
        queue = names.supplier_queue(subscription.supplier)
        work.append(
            (
                queue,
                f"receiving supplier {subscription.supplier} ({subscription.format})",
                BindingSpec(names.outbound_exchange, queue, subscription.supplier),
            )
        )
    queues: list[QueueSpec] = []
    bindings: list[BindingSpec] = []
    for name, purpose, binding in work:
        dead = names.dead_queue(name)
        queues.append(
            QueueSpec(
                name=name,
                purpose=purpose,
                dead_letter_queue=dead,
                delivery_limit=delivery_limit,
                retry_delays=retry_delays,
                max_length=max_length,
            )
        )
        queues.append(QueueSpec(name=dead, purpose=f"dead letters of {name}"))
        bindings.append(binding)
        bindings.append(BindingSpec(names.dead_exchange, dead, name))
    return Topology(
        exchanges=exchanges,
        queues=tuple(queues),
        bindings=tuple(bindings),
        dead_letter_exchange=names.dead_exchange,
        retry_exchange=names.retry_exchange,
    )


def topology_from_settings(settings: Settings) -> Topology:
    """The topology the settings describe (prefix, subscriptions, delivery limit, retry delays, bounds)."""
    return build_topology(
        Names(settings.broker_prefix),
        subscriptions=settings.subscriptions,
        delivery_limit=settings.delivery_limit,
        retry_delays=settings.retry_delays,
        max_length=settings.queue_max_length,
    )
