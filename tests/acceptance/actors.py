"""Processes the acceptance tests start and kill: a gateway, a relay and consumers that die at a chosen moment.

Run as ``python -m tests.acceptance.actors ROLE DATABASE_URL AMQP_URL PREFIX [ARG]``; every role builds the
same flow as the test (``tests.gateway.routing.flow.make_flow``) and then ``SIGKILL``s itself where asked:

``submit N``          receive and record N messages (outcome + outbox committed), die before any publish
``relay-die``         publish one confirm window, die before marking the rows sent
``consume-die``       apply one directory batch (committed), die before acknowledging it
``consume-crash ID``  consume the directory queue; die (before committing) whenever event ID is delivered
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Sequence

from adapters.transports.rabbitmq import RabbitMQTransport
from gateway.routing.consumer import EventProcessor
from gateway.routing.outbox import OutboxRow
from gateway.storage import open_database
from gateway.transport import PublishOutcome
from tests.gateway.routing.flow import make_flow, pump
from tests.gateway.routing.support import child, jsonl

__all__ = ["main"]


def say(text: str) -> None:
    """Tell the test what happened (on stdout, which the test reads)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: Sequence[str]) -> None:
    role, database_url, amqp_url, prefix, *rest = argv
    database = open_database(database_url)
    transport = RabbitMQTransport(amqp_url)
    flow = make_flow(database, transport, prefix=prefix, delivery_limit=2, retry_delays=(0.05,))
    if role == "submit":
        first = int(rest[1]) if len(rest) > 1 else 0
        for n in range(first, first + int(rest[0])):
            flow.intake.submit([("c.jsonl", jsonl([child(n)]))], supplier_id="acme", la_code="201", message_id=f"k-{n}")
        say("submitted")
        die()
    elif role == "relay-die":

        def confirmed_then_die(rows: Sequence[OutboxRow], outcomes: Sequence[PublishOutcome]) -> None:
            say(f"published {sum(o.ok for o in outcomes)}")
            die()

        flow.relay.confirmed = confirmed_then_die  # type: ignore[method-assign]
        flow.relay.run_once()
    elif role == "consume-die":
        consumer = transport.open_consumer(flow.names.directory_queue, prefetch=500)
        expected = int(rest[0]) if rest else 1
        deliveries = consumer.fetch(500, timeout=10)
        deadline = time.monotonic() + 10
        while len(deliveries) < expected and time.monotonic() < deadline:
            # Everything the broker pushed to this consumer is unacknowledged when it dies; apply all of it, so
            # the events committed are exactly the ones that come back.
            deliveries += consumer.fetch(500, timeout=1)
        EventProcessor(flow.directory).process(deliveries)
        say(f"committed {len(deliveries)}")
        die()
    elif role == "consume-crash":
        poison = rest[0]
        original = flow.directory.apply_batch

        def crash_on_poison(events, **options):  # type: ignore[no-untyped-def]
            if any(event.event_id == poison for event in events):
                say("crashing on the poison event")
                die()
            return original(events, **options)

        flow.directory.apply_batch = crash_on_poison  # type: ignore[method-assign]
        pump(flow.store_worker("directory", batch_size=1, prefetch=1))
        say("idle")
    else:
        raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    main(sys.argv[1:])
