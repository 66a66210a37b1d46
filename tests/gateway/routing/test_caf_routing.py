"""Every CAF reaches the CAF store, consent or not: there its lead professional and the assessor's organisation
may read it, and nobody else without a consent; a withdrawal then a replay of the old message never re-shares.
On SQLite and PostgreSQL, through the local transport."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.transports.local import LocalTransport
from gateway import CafAssessment, ChildRecord, Consent, Organisation, Practitioner
from gateway.access import CAF_CONSENT, CAF_READ, Caller
from gateway.routing.replay import replay_message
from gateway.storage import Database
from tests.gateway.routing.flow import Flow, make_flow
from tests.gateway.routing.support import child, jsonl
from tests.gateway.store_data import READER

LEAD = Caller(user_id="lead-1", organisation_code="HV1", roles=frozenset({CAF_READ, CAF_CONSENT}))
ASSESSOR = Caller(user_id="someone", organisation_code="SCH1", roles=frozenset({CAF_READ}))
GP = Caller(user_id="gp-1", organisation_code="GP1", roles=frozenset({CAF_READ}))


@pytest.fixture
def flow(database: Database) -> Iterator[Flow]:
    yield make_flow(database, LocalTransport(database, poll_interval=0.02), prefix="ecm")


def _with_caf(number: int, *consents: Consent) -> ChildRecord:
    caf = CafAssessment(
        caf_id=f"CAF{number}",
        assessor=Practitioner(practitioner_id="assessor-1", organisation=Organisation(code="SCH1")),
        lead_professional=Practitioner(practitioner_id="lead-1"),
        consents=consents,
    )
    return child(number, caf_consent="none").model_copy(update={"caf_assessments": (caf,)})


def test_a_caf_without_consent_is_stored_and_read_only_by_lead_and_assessor(flow: Flow) -> None:
    flow.intake.submit([("c.jsonl", jsonl([_with_caf(1)]))], supplier_id="acme", la_code="201", message_id="m1")
    flow.deliver_all()
    assert flow.caf.read("CAF1", LEAD, "lead professional") is not None
    assert flow.caf.read("CAF1", ASSESSOR, "assessor's organisation") is not None
    assert flow.caf.read("CAF1", GP, "service provision") is None  # outside any consent: as if absent
    (child_id,) = flow.directory.child_ids()
    entry = flow.directory.entry(child_id, READER, "safeguarding")
    assert entry is not None and entry.caf is not None  # "a CAF exists and who holds it"
    assert entry.caf.holder is not None and entry.caf.holder.practitioner_id == "lead-1"
    assert flow.ledger().balanced


def test_withdrawal_then_replay_of_the_old_message_does_not_re_share(flow: Flow) -> None:
    given = datetime.now(UTC) - timedelta(days=10)
    consent = Consent(consent_id="k-1", given_by_role="parent", scope=("GP1",), given_at=given)
    flow.intake.submit(
        [("c.jsonl", jsonl([_with_caf(2, consent)]))], supplier_id="acme", la_code="201", message_id="m2"
    )
    flow.deliver_all()
    assert flow.caf.read("CAF2", GP, "service provision") is not None
    assert flow.caf.withdraw_consent("CAF2", "k-1", LEAD, "the family withdrew consent")
    flow.deliver_all()
    assert flow.caf.read("CAF2", GP, "service provision") is None
    replay_message(flow.intake, "m2", topology=flow.topology, names=flow.names)  # the old copy, consent active
    flow.deliver_all()
    assert flow.caf.read("CAF2", GP, "service provision") is None
    assert flow.caf.read("CAF2", LEAD, "lead professional") is not None
