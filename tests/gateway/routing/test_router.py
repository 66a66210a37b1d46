"""Content-based routing: the directory view only, every CAF to the CAF store, purges, rejections, suppliers."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from adapters.canonical.jsonl import CanonicalJsonlWriter
from gateway.errors import ConfigurationError
from gateway.model import CanonicalMessage, Involvement, Issue, SourceLocation
from gateway.pipeline import new_envelope
from gateway.routing.router import Router, child_subject, record_events, route
from gateway.settings import Subscription
from gateway.views import DirectoryUpdate
from tests.gateway.routing.support import child

AT = datetime(2026, 6, 1, tzinfo=UTC)


def message(*records, supplier: str = "acme", issues: tuple[Issue, ...] = ()) -> CanonicalMessage:
    envelope = new_envelope([("f.jsonl", b"x")], supplier_id=supplier, la_code="201", format_id="canonical-jsonl")
    return CanonicalMessage(envelope=envelope, records=tuple(records), issues=issues)


def test_each_child_gets_a_directory_upsert_carrying_the_directory_view_only() -> None:
    record = child(1).model_copy(update={"assessments": ()})
    routing = route(message(record), "accepted", at=AT)
    upserts = [event for event in routing.events if event.kind == "directory.child.upsert"]
    assert len(upserts) == 1
    update = DirectoryUpdate.model_validate(upserts[0].payload)
    assert update.entry.child_id == upserts[0].subject == child_subject(record, "m", 0)
    assert update.entry.names == record.child.names
    text = orjson.dumps(upserts[0].payload).decode()
    assert "CAF1" not in text  # CAF content never goes to the directory (only an indicator)
    assert "consents" not in text


def test_a_shielded_childs_address_and_carer_contacts_are_not_in_the_entry() -> None:
    routing = route(message(child(2, shielded=True)), "accepted", at=AT)
    update = DirectoryUpdate.model_validate(routing.events[0].payload)
    assert update.entry.shielded and update.entry.address is None
    assert update.entry.carers[0].contacts == ()
    assert update.withheld is not None  # travels apart, for the audited break glass


def test_every_caf_is_routed_to_the_caf_store_and_withdrawal_is_announced() -> None:
    active = route(message(child(3, caf_consent="active")), "accepted", at=AT)
    assert [e.kind for e in active.events] == ["directory.child.upsert", "caf.assessment.upsert"]
    assert active.events[1].subject == "caf:CAF3"
    # without a consent the CAF still reaches the store: its lead professional and the assessor's
    # organisation may read it there (the store decides who reads; routing to it is not sharing)
    unconsented = route(message(child(4, caf_consent="unconsented")), "accepted", at=AT)
    assert [e.kind for e in unconsented.events] == ["directory.child.upsert", "caf.assessment.upsert"]
    assert unconsented.events[1].payload["assessment"]["caf_id"] == "CAF4"
    directory = DirectoryUpdate.model_validate(unconsented.events[0].payload)
    assert directory.entry.caf is not None  # "a CAF exists and who holds it", consent or not
    no_caf = route(message(child(8, caf_consent="none")), "accepted", at=AT)
    assert [e.kind for e in no_caf.events] == ["directory.child.upsert"]
    assert DirectoryUpdate.model_validate(no_caf.events[0].payload).entry.caf is None
    withdrawn = route(message(child(5, caf_consent="withdrawn")), "accepted", at=AT)
    assert [e.kind for e in withdrawn.events] == [
        "directory.child.upsert",
        "caf.assessment.upsert",
        "caf.consent.withdrawn",
    ]
    again = route(message(child(5, caf_consent="withdrawn")), "accepted", at=AT)
    assert withdrawn.events[2].event_id == again.events[2].event_id is not None  # copies deduplicate


def test_a_purge_flag_sends_a_purge_and_nothing_else_for_that_child() -> None:
    routing = route(message(child(6, purge=True), child(7)), "accepted", at=AT)
    kinds = [(e.kind, e.subject) for e in routing.events]
    subject = child_subject(child(6), "m", 0)
    assert kinds[:2] == [("directory.child.purge", subject), ("caf.child.purge", subject)]
    assert routing.events[1].payload == {}
    assert all(other not in (subject, "caf:CAF6") for _, other in kinds[2:])
    caf = next(e for e in routing.events if e.kind == "caf.assessment.upsert")
    assert caf.ordered_by == child_subject(child(7), "m", 1)  # stamped with the child's version by the outbox


def test_a_record_held_for_review_sends_nothing_but_what_is_withheld_is_still_reported() -> None:
    sensitive = child(10, caf_consent="active")
    held = sensitive.model_copy(
        update={"involvements": (Involvement(service_type="sexual-health", sensitive_category="sexual_health"),)}
    )
    routing = Router()(message(held, child(11)), "accepted", AT, (0,))
    assert {e.subject for e in routing.events} == {child_subject(child(11), "m", 1), "caf:CAF11"}
    assert [issue.rule for issue in routing.issues] == ["directory/sensitive-service-no-basis"]
    released = record_events(held, "child-decided", "201", at=AT)
    assert [(e.kind, e.subject) for e in released] == [
        ("directory.child.upsert", "child-decided"),
        ("caf.assessment.upsert", "caf:CAF10"),
    ]
    assert released[1].payload["child_id"] == "child-decided"


def test_a_rejected_message_sends_its_issues_and_never_its_content() -> None:
    issue = Issue(rule="read/x", severity="error", message="bad", location=SourceLocation(file="f.jsonl", line=2))
    routing = route(message(child(8), issues=(issue,)), "rejected", at=AT)
    (event,) = routing.events
    assert event.kind == "message.rejected"
    assert event.payload["issues"][0]["rule"] == "read/x"
    assert "Test-8" not in orjson.dumps(event.payload).decode()


def test_subjects_are_stable_and_carry_no_identifier() -> None:
    record = child(9)
    assert child_subject(record, "m1", 0) == child_subject(record, "m2", 5)
    assert "C000009" not in child_subject(record, "m1", 0)
    with_id = record.model_copy(update={"child": record.child.model_copy(update={"child_id": "G-1"})})
    assert child_subject(with_id, "m", 0) == "G-1"


def test_receiving_suppliers_get_the_message_in_their_format_but_never_their_own() -> None:
    writer = CanonicalJsonlWriter()
    subs = (
        Subscription(supplier="other", format="canonical-jsonl", la_codes=("201",)),
        Subscription(supplier="acme", format="canonical-jsonl"),
        Subscription(supplier="far", format="canonical-jsonl", la_codes=("999",)),
    )
    routing = route(message(child(10)), "accepted", at=AT, subscriptions=subs, writers={writer.format_id: writer})
    (delivery,) = routing.deliveries
    assert delivery.supplier == "other"
    assert delivery.format_id == "canonical-jsonl"
    (line,) = delivery.body.splitlines()
    assert orjson.loads(line)["child"]["local_ids"][0]["la_child_id"] == "C000010"


@pytest.mark.parametrize("caf_consent", ["active", "unconsented"])
def test_receiving_suppliers_never_get_caf_forms_only_the_rest_of_the_record(caf_consent: str) -> None:
    writer = CanonicalJsonlWriter()
    record = child(11, caf_consent=caf_consent)  # type: ignore[arg-type]
    assert record.caf_assessments
    subs = (Subscription(supplier="other", format="canonical-jsonl", la_codes=("201",)),)
    routing = route(message(record), "accepted", at=AT, subscriptions=subs, writers={writer.format_id: writer})
    (delivery,) = routing.deliveries
    sent = orjson.loads(delivery.body.splitlines()[0])
    assert sent.get("caf_assessments", []) == []
    assert not any(source["field"].startswith("/caf_assessments") for source in sent.get("lineage", []))
    assert sent["child"]["local_ids"][0]["la_child_id"] == "C000011"
    # the CAF itself still goes to the CAF store, where reads are checked
    assert [event.kind for event in routing.events].count("caf.assessment.upsert") == 1


def test_a_subscription_to_a_format_nobody_writes_is_a_configuration_error() -> None:
    router = Router(subscriptions=(Subscription(supplier="x", format="no-such-format"),), writers={})
    with pytest.raises(ConfigurationError, match="no-such-format"):
        router.validate()
