"""A supplier's purge reaches the CAF store end to end (intake -> outbox -> local transport -> CAF consumer), and
a message received before the purge but processed (or replayed) after it cannot bring the child back. On
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from sqlalchemy import select

from adapters.transports.local import LocalTransport
from gateway.access import CAF_READ, Caller
from gateway.audit import AuditLog
from gateway.caf import CafStore
from gateway.caf.store import load_caf
from gateway.directory import DirectoryStore
from gateway.events import Event
from gateway.pipeline import new_envelope
from gateway.routing.replay import replay_message
from gateway.routing.retention import RoutingCopies
from gateway.routing.router import child_subject
from gateway.routing.tables import outbox
from gateway.storage import Database, MessageStore
from gateway.storage.payloads import PURGED_RECORD_RULE
from gateway.storage.tables import caf_assessments, caf_consents, caf_purges, message_files
from tests.gateway.routing.flow import Flow, make_flow
from tests.gateway.routing.support import child, jsonl

LEAD = Caller(user_id="anyone", organisation_code="ORG1", roles=frozenset({CAF_READ}))  # inside the consent's scope


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    flow = make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")
    audit = AuditLog()
    flow.intake.store = MessageStore(database, audit=audit, copies=RoutingCopies())
    flow.directory = DirectoryStore(database, audit=audit, events=flow.outbox)
    flow.caf = CafStore(database, audit=audit, events=flow.outbox)
    yield flow


def _submit(flow: Flow, message_id: str, *records: object) -> None:
    flow.intake.submit(
        [("c.jsonl", jsonl(list(records)))],  # type: ignore[arg-type]
        supplier_id="acme",
        la_code="201",
        message_id=message_id,
    )


def _cafs(flow: Flow) -> set[str]:
    with flow.database.engine.connect() as conn:
        return set(conn.execute(select(caf_assessments.c.caf_id)).scalars())


def _consent_content(flow: Flow, caf_id: str) -> list[object]:
    with flow.database.engine.connect() as conn:
        rows = conn.execute(select(caf_consents.c.record).where(caf_consents.c.caf_id == caf_id)).scalars()
        return [record for record in rows if record]


def _sent_caf_upsert(flow: Flow, message_id: str, subject: str) -> Event:
    with flow.database.engine.connect() as conn:
        bodies = conn.execute(
            select(outbox.c.body).where(outbox.c.message_id == message_id, outbox.c.kind == "caf.assessment.upsert")
        ).scalars()
        events = [Event.model_validate(orjson.loads(body)) for body in bodies]
    (event,) = [event for event in events if event.subject == subject]
    return event


def test_the_outbox_stamps_a_caf_upsert_with_its_childs_version(flow: Flow) -> None:
    _submit(flow, "m1", child(1))
    _submit(flow, "m2", child(1))
    with flow.database.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.message_id, outbox.c.kind, outbox.c.body).order_by(outbox.c.outbox_id))
        events = [(message_id, Event.model_validate(orjson.loads(body))) for message_id, kind, body in rows]
    for message_id in ("m1", "m2"):
        directory = next(e for m, e in events if m == message_id and e.kind == "directory.child.upsert")
        caf = next(e for m, e in events if m == message_id and e.kind == "caf.assessment.upsert")
        assert caf.child_version == directory.version  # the same per-child sequence as the purge's version
        assert directory.child_version is None
    assert [e.child_version for _, e in events if e.kind == "caf.assessment.upsert"] == [1, 2]


def test_a_purge_reaches_the_caf_store_and_a_stale_copy_does_not_bring_it_back(flow: Flow) -> None:
    _submit(flow, "m1", child(1), child(2))
    flow.deliver_all()
    assert _cafs(flow) == {"CAF1", "CAF2"}
    assert flow.caf.read("CAF1", LEAD, "service provision") is not None
    old_copy = _sent_caf_upsert(flow, "m1", "caf:CAF1").model_copy(update={"event_id": "copy-of-m1-caf"})

    _submit(flow, "m2", child(1, purge=True))
    flow.deliver_all()
    assert _cafs(flow) == {"CAF2"}  # the other child's CAF stays
    assert _consent_content(flow, "CAF1") == []
    assert flow.caf.read("CAF1", LEAD, "service provision") is None
    subject = child_subject(child(1), "m2", 0)
    with flow.database.engine.connect() as conn:
        assert conn.execute(select(caf_purges.c.child_id, caf_purges.c.la_code)).all() == [(subject, "201")]
    assert subject not in flow.directory.child_ids()
    entries = [s.entry for s in flow.caf.audit.entries(flow.database.engine) if s.entry.action == "caf.purge"]
    assert [(e.subject, list(e.result_ids)) for e in entries] == [(subject, ["CAF1@1"])]

    # an old copy of the CAF event sent again through the broker (say, a replayed dead letter) is stale
    with flow.database.engine.begin() as conn:
        flow.outbox.emit(conn, old_copy)
    flow.deliver_all()
    assert _cafs(flow) == {"CAF2"}
    with flow.database.engine.connect() as conn:
        assert load_caf(conn, "CAF1") is None
    flow.assert_exactly_once()
    assert flow.ledger().balanced

    # the supplier sends the child again: a new record, after the purge, goes in
    _submit(flow, "m3", child(1))
    flow.deliver_all()
    assert _cafs(flow) == {"CAF1", "CAF2"}


@pytest.mark.parametrize("how", ["retried", "replayed"])
def test_a_message_received_before_a_purge_does_not_bring_the_child_back(flow: Flow, how: str) -> None:
    files = [("c.jsonl", jsonl([child(1), child(2)]))]
    envelope = new_envelope(files, supplier_id="acme", la_code="201", format_id="canonical-jsonl", message_id="m1")
    assert flow.intake.store.receive(envelope, files)  # received, then processing stopped: never indexed
    _submit(flow, "m2", child(1, purge=True))
    flow.deliver_all()

    if how == "retried":  # the supplier sends m1 again: the intake finishes the earlier attempt
        result = flow.intake.submit(files, supplier_id="acme", la_code="201", message_id="m1")
    else:
        replay_message(flow.intake, "m1", topology=flow.topology, names=flow.names)
        result = None
    flow.deliver_all()

    assert _cafs(flow) == {"CAF2"}
    directory = set(flow.directory.child_ids())
    assert child_subject(child(1), "m1", 0) not in directory
    assert child_subject(child(2), "m1", 1) in directory  # the message's other child still goes through
    stored = flow.intake.store.get("m1")
    assert stored is not None and stored.status == "accepted"
    assert stored.payload_removed_reason == "purge"  # as if the purge had found it
    assert [issue.rule for issue in stored.issues] == [PURGED_RECORD_RULE]
    assert stored.issues[0].canonical_path is None and stored.issues[0].child is None
    canonical = flow.intake.store.canonical("m1")
    assert canonical is not None and canonical.records == ()
    with flow.database.engine.connect() as conn:
        assert conn.execute(select(message_files).where(message_files.c.message_id == "m1")).first() is None
    if result is not None:
        assert [len(result.message.records), result.outcome] == [1, "accepted"]
    assert flow.ledger().balanced


def test_a_message_received_after_the_purge_is_the_child_sent_again(flow: Flow) -> None:
    _submit(flow, "m1", child(1))
    _submit(flow, "m2", child(1, purge=True))
    _submit(flow, "m3", child(1))
    flow.deliver_all()
    assert _cafs(flow) == {"CAF1"}
    stored = flow.intake.store.get("m3")
    assert stored is not None and stored.payload_removed_at is None and stored.issues == ()
