"""The ledger: proof that nothing was lost, per supplier and day of receipt.

Every received message is in exactly one column:

``delivered``  accepted, and every outgoing event and delivery confirmed by the broker
``rejected``   rejected, and its ``message.rejected`` event confirmed by the broker
``in flight``  not processed yet, or with outgoing rows the relay has not had confirmed yet

so ``received = delivered + rejected + in flight``. Anything else is a *difference*, named message by
message with what to do about it:

* events of the message dead-lettered and not replayed (they never reached their store) — and, when the
  retention policy or a purge has since removed their payload, that they cannot be replayed;
* a message received more than ``stuck_after`` ago and still not processed (its processing failed);
* outgoing rows published without confirmation for longer than ``stuck_after`` (broker refusing them);
* an outcome the gateway does not know.

A line is balanced when the sum holds and it names no difference. Messages are named by id only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from gateway.routing.tables import dead_letters, outbox
from gateway.storage import Database
from gateway.storage.tables import messages

__all__ = ["Ledger", "LedgerLine", "compute_ledger"]


@dataclass
class LedgerLine:
    """One supplier's messages received on one day."""

    supplier_id: str
    day: date
    received: int = 0
    delivered: int = 0
    rejected: int = 0
    in_flight: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def unaccounted(self) -> int:
        """``received - (delivered + rejected + in flight)``: messages in none of the columns."""
        return self.received - (self.delivered + self.rejected + self.in_flight)

    @property
    def balanced(self) -> bool:
        return self.unaccounted == 0 and not self.differences


@dataclass
class Ledger:
    lines: list[LedgerLine]

    @property
    def balanced(self) -> bool:
        return all(line.balanced for line in self.lines)

    def totals(self) -> LedgerLine:
        total = LedgerLine(supplier_id="(all)", day=date.min)
        for line in self.lines:
            total.received += line.received
            total.delivered += line.delivered
            total.rejected += line.rejected
            total.in_flight += line.in_flight
            total.differences.extend(line.differences)
        return total


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def compute_ledger(
    database: Database,
    *,
    supplier_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    stuck_after: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> Ledger:
    """The ledger for messages received from ``since`` up to and including ``until`` (UTC days)."""
    now = now or datetime.now(UTC)
    query = select(
        messages.c.message_id, messages.c.supplier_id, messages.c.received_at, messages.c.status, messages.c.updated_at
    )
    if supplier_id is not None:
        query = query.where(messages.c.supplier_id == supplier_id)
    if since is not None:
        query = query.where(messages.c.received_at >= datetime.combine(since, datetime.min.time(), UTC))
    if until is not None:
        query = query.where(
            messages.c.received_at < datetime.combine(until + timedelta(days=1), datetime.min.time(), UTC)
        )
    with database.engine.connect() as conn:
        rows = conn.execute(query).all()
        pending = {
            message_id: (count, _aware(oldest))
            for message_id, count, oldest in conn.execute(
                select(outbox.c.message_id, func.count(), func.min(outbox.c.created_at))
                .where(outbox.c.sent_at.is_(None))
                .group_by(outbox.c.message_id)
            )
        }
        gone = set(
            conn.execute(
                select(dead_letters.c.message_id)
                .where(dead_letters.c.replayed_at.is_(None), dead_letters.c.payload_removed_at.is_not(None))
                .distinct()
            ).scalars()
        )
        dead: Counter[str] = Counter(
            {
                message_id: count
                for message_id, count in conn.execute(
                    select(dead_letters.c.message_id, func.count())
                    .where(dead_letters.c.replayed_at.is_(None), dead_letters.c.message_id.is_not(None))
                    .group_by(dead_letters.c.message_id)
                )
            }
        )
    lines: dict[tuple[str, date], LedgerLine] = {}
    for message_id, supplier, received_at, status, updated_at in rows:
        day = _aware(received_at).astimezone(UTC).date()
        line = lines.get((supplier, day))
        if line is None:
            line = lines[(supplier, day)] = LedgerLine(supplier_id=supplier, day=day)
        line.received += 1
        _classify(
            line,
            message_id,
            status,
            _aware(updated_at),
            pending=pending.get(message_id),
            dead=dead[message_id],
            dead_gone=message_id in gone,
            now=now,
            stuck_after=stuck_after,
        )
    ordered = sorted(lines.values(), key=lambda line: (line.day, line.supplier_id))
    return Ledger(ordered)


def _classify(
    line: LedgerLine,
    message_id: str,
    status: str,
    updated_at: datetime,
    *,
    pending: tuple[int, datetime] | None,
    dead: int,
    dead_gone: bool = False,
    now: datetime,
    stuck_after: timedelta,
) -> None:
    if status == "received":
        line.in_flight += 1
        if now - updated_at > stuck_after:
            line.differences.append(
                f"message {message_id}: received at {updated_at:%H:%M} UTC and not processed since; "
                f"run: ecm-gateway replay --message {message_id}"
            )
        return
    if pending is not None:
        line.in_flight += 1
        count, oldest = pending
        if now - oldest > stuck_after:
            line.differences.append(
                f"message {message_id}: {count} outgoing row(s) unconfirmed since {oldest:%H:%M} UTC; "
                "is the relay running and the broker accepting? (ecm-gateway broker setup)"
            )
        return
    if dead and dead_gone:
        line.differences.append(
            f"message {message_id}: {dead} event(s) dead-lettered, not in their store, and their payload removed "
            "(retention or purge): they cannot be replayed; ask the supplier to send the message again"
        )
        return
    if dead:
        line.differences.append(
            f"message {message_id}: {dead} event(s) dead-lettered, not in their store; "
            f"fix the cause, then: ecm-gateway replay --dead-letters --message {message_id}"
        )
        return
    if status == "accepted":
        line.delivered += 1
    elif status == "rejected":
        line.rejected += 1
    else:
        line.differences.append(f"message {message_id}: unknown status {status!r}")
