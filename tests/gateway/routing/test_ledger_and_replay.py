"""The ledger names every difference; replay shows what a new mapping or rule would change first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.transports.local import LocalTransport
from gateway.model import CanonicalMessage, Issue
from gateway.pipeline import new_envelope
from gateway.routing.ledger import compute_ledger
from gateway.routing.replay import diff_records, plan_replay, replay_message
from gateway.storage import Database
from tests.gateway.routing.flow import Flow, make_flow
from tests.gateway.routing.support import child, jsonl


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    yield make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")


def test_an_empty_gateway_balances(flow: Flow) -> None:
    assert compute_ledger(flow.database).lines == []
    assert compute_ledger(flow.database).balanced


def test_stuck_messages_and_unconfirmed_rows_are_named(flow: Flow) -> None:
    payload = [("c.jsonl", jsonl([child(1)]))]
    flow.intake.submit(payload, supplier_id="acme", la_code="201", message_id="m-sent-late")
    envelope = new_envelope(
        payload, supplier_id="acme", la_code="201", format_id="canonical-jsonl", message_id="m-stuck"
    )
    flow.intake.store.receive(envelope, payload)  # processing died after receipt
    now = datetime.now(UTC)
    fresh = compute_ledger(flow.database, now=now)
    assert fresh.balanced and fresh.lines[0].in_flight == 2
    later = compute_ledger(flow.database, now=now + timedelta(hours=1))
    (line,) = later.lines
    assert (line.received, line.in_flight, line.balanced) == (2, 2, False)
    assert any("m-stuck" in d and "replay --message m-stuck" in d for d in line.differences)
    assert any("m-sent-late" in d and "unconfirmed" in d for d in line.differences)


def test_lines_are_per_supplier_and_day_and_filterable(flow: Flow) -> None:
    for supplier in ("acme", "beta", "acme"):
        flow.intake.submit([("c.jsonl", jsonl([child(1)]))], supplier_id=supplier, la_code="201")
    flow.deliver_all()
    ledger = compute_ledger(flow.database)
    assert [(line.supplier_id, line.received, line.delivered) for line in ledger.lines] == [
        ("acme", 2, 2),
        ("beta", 1, 1),
    ]
    only = compute_ledger(flow.database, supplier_id="beta")
    assert [line.supplier_id for line in only.lines] == ["beta"]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert compute_ledger(flow.database, since=tomorrow).lines == []


def test_dry_run_shows_what_a_new_rule_would_change_and_writes_nothing(flow: Flow) -> None:
    flow.intake.submit([("c.jsonl", jsonl([child(1), child(2)]))], supplier_id="acme", la_code="201", message_id="m-1")
    pending = flow.outbox.stats().pending

    def new_rule(message: CanonicalMessage) -> Sequence[Issue]:
        return [Issue(rule="ics-1b/new-rule", severity="error", message="now required", canonical_path="/records/1")]

    flow.intake.checks = [new_rule]
    plan = plan_replay(flow.intake, "m-1", topology=flow.topology, names=flow.names)
    assert (plan.old_outcome, plan.new_outcome) == ("accepted", "rejected")
    assert plan.issues_added == ("error ics-1b/new-rule at /records/1",)
    assert plan.routes == (("message.rejected", 1, ("ecm.rejected",)),)
    assert flow.intake.store.status("m-1") == "accepted" and flow.outbox.stats().pending == pending
    replayed = replay_message(flow.intake, "m-1", topology=flow.topology, names=flow.names)
    assert replayed.new_outcome == "rejected" and flow.intake.store.status("m-1") == "rejected"
    assert flow.outbox.stats().pending == pending + 1


def test_replay_after_a_mapping_fix_sends_newer_versions(flow: Flow) -> None:
    flow.intake.submit(
        [("c.jsonl", jsonl([child(1, caf_consent="none")]))], supplier_id="acme", la_code="201", message_id="m-1"
    )
    flow.deliver_all()
    replay_message(flow.intake, "m-1", topology=flow.topology, names=flow.names)
    flow.deliver_all()
    flow.assert_exactly_once()
    (subject,) = flow.directory.child_ids()
    assert flow.directory.version(subject) == 2
    assert flow.ledger().balanced


def test_record_differences_name_fields_never_values() -> None:
    before = [child(1), child(2)]
    renamed = child(2).model_copy(update={"carers": ()})
    after = [before[0], renamed, child(3)]
    changes = diff_records(before, after)
    assert [(c.record, c.change) for c in changes] == [
        ("record 1 (LA child id C000002)", "changed"),
        ("record 2 (LA child id C000003)", "added"),
    ]
    assert changes[0].fields == ("/carers",)
    assert "Test-2" not in repr(changes)
