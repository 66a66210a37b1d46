"""Routing: topology as code, content-based routing, the outbox and its relay, consumers, dead letters,
replay, the ledger and the retention job. See ``docs/operators/routing.md``.

The transport interface is :mod:`gateway.transport`; implementations live in ``adapters.transports``.
Metrics (:mod:`gateway.routing.metrics`) are imported separately, by composition roots only.
"""

from gateway.routing.consumer import ConsumerWorker, DeliveryProcessor, EventProcessor, Handler, Outage, Verdict
from gateway.routing.deadletters import DeadLetter, DeadLetterProcessor, DeadLetters
from gateway.routing.inbound import InboundProcessor
from gateway.routing.ledger import Ledger, LedgerLine, compute_ledger
from gateway.routing.outbox import Outbox, OutboxRow, OutboxStats
from gateway.routing.relay import Relay, RelayRound
from gateway.routing.retention import RetentionPolicy, RetentionReport, RoutingCopies, run_retention
from gateway.routing.router import PlannedDelivery, PlannedEvent, Router, Routing, child_subject, route
from gateway.routing.topology import Names, build_topology, topology_from_settings

__all__ = [
    "ConsumerWorker",
    "DeadLetter",
    "DeadLetterProcessor",
    "DeadLetters",
    "DeliveryProcessor",
    "EventProcessor",
    "Handler",
    "InboundProcessor",
    "Ledger",
    "LedgerLine",
    "Names",
    "Outage",
    "Outbox",
    "OutboxRow",
    "OutboxStats",
    "PlannedDelivery",
    "PlannedEvent",
    "Relay",
    "RelayRound",
    "RetentionPolicy",
    "RetentionReport",
    "Router",
    "Routing",
    "RoutingCopies",
    "Verdict",
    "build_topology",
    "child_subject",
    "compute_ledger",
    "route",
    "run_retention",
    "topology_from_settings",
]
