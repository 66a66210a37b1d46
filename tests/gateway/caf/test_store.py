"""The CAF store on SQLite and PostgreSQL: versions, consent-scoped reads, sticky withdrawals, FHIR export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from adapters.fhir import systems
from gateway import CafAction, CafAssessment, CafDomain, CafDomains, Consent, Organisation, PersonName, Practitioner
from gateway.access import CAF_CONSENT, CAF_READ, AccessDenied, Caller
from gateway.caf import CafStore, caf_bundle
from gateway.caf import fhir as caf_fhir
from gateway.consent import withdrawal_event_id
from gateway.storage import Database
from gateway.store_events import StoreEventTable
from tests.gateway.store_data import caf_event, withdrawal_event

NOW = datetime.now(UTC)
GIVEN = NOW - timedelta(days=10)
LEAD = Caller(user_id="p-lead", organisation_code="HV1", roles=frozenset({CAF_READ, CAF_CONSENT}))
ASSESSOR_ORG = Caller(user_id="someone", organisation_code="SCH1", roles=frozenset({CAF_READ}))
GP = Caller(user_id="gp-1", organisation_code="GP1", roles=frozenset({CAF_READ}))
OTHER = Caller(user_id="x-1", organisation_code="OTHER", roles=frozenset({CAF_READ}))


def _caf(version: int = 1, **fields: object) -> CafAssessment:
    values: dict[str, object] = {
        "caf_id": "caf-1",
        "version": version,
        "status": "completed",
        "assessor": Practitioner(
            practitioner_id="p-a",
            name=PersonName(given=("Asha",), family="Khan"),
            organisation=Organisation(code="SCH1"),
        ),
        "domains": CafDomains(
            development_of_child=CafDomain(summary="speech delay", needs=("speech therapy",)),
            parents_and_carers=CafDomain(strengths=("warm relationship",)),
            family_and_environment=CafDomain(summary="overcrowded housing"),
        ),
        "conclusions": "needs coordinated support",
        "actions": (
            CafAction(description="refer to speech therapy", responsible=Practitioner(practitioner_id="p-lead")),
        ),
        "lead_professional": Practitioner(
            practitioner_id="p-lead", role="health visitor", organisation=Organisation(code="HV1", code_system="ods")
        ),
        "consents": (
            Consent(
                consent_id="k-1",
                given_by_role="parent",
                given_by_name=PersonName(given=("Jane",), family="Smith"),
                obtained_by=Practitioner(practitioner_id="p-a"),
                scope=("GP1", "YOS1"),
                given_at=GIVEN,
            ),
        ),
    }
    values.update(fields)
    return CafAssessment.model_validate(values)


@pytest.fixture
def store(database: Database) -> CafStore:
    return CafStore(database)


def test_versions_are_kept_and_the_latest_is_read(store: CafStore) -> None:
    assert store.apply(caf_event(_caf(1), version=1)).outcome == "applied"
    assert store.apply(caf_event(_caf(2, conclusions="updated"), version=2)).outcome == "applied"
    stored = store.read("caf-1", LEAD, "service-provision")
    assert stored is not None and stored.assessment.version == 2 and stored.assessment.conclusions == "updated"
    assert stored.child_id == "c-1" and stored.latest_version == 2
    first = store.read("caf-1", LEAD, "service-provision", version=1)
    assert first is not None and first.assessment.conclusions == "needs coordinated support"
    assert store.apply(caf_event(_caf(3), version=1)).outcome == "stale"


def test_who_may_read(store: CafStore) -> None:
    store.apply(caf_event(_caf()))
    assert store.read("caf-1", LEAD, "service-provision") is not None
    assert store.read("caf-1", ASSESSOR_ORG, "service-provision") is not None
    assert store.read("caf-1", GP, "service-provision") is not None
    assert store.read("caf-1", OTHER, "service-provision") is None
    assert store.read("caf-none", LEAD, "service-provision") is None
    with pytest.raises(AccessDenied):
        store.read("caf-1", LEAD.model_copy(update={"roles": frozenset()}), "service-provision")
    outcomes = [(e.entry.actor_org, e.entry.outcome) for e in store.audit.entries(store.database.engine)]
    assert outcomes == [
        ("HV1", "read:lead-professional"),
        ("SCH1", "read:assessor-organisation"),
        ("GP1", "read:consent"),
        ("OTHER", "denied"),
        ("HV1", "not-found"),
        ("HV1", "denied"),
    ]
    assert [s.caf_id for s in store.for_child("c-1", GP, "service-provision")] == ["caf-1"]
    assert store.for_child("c-1", OTHER, "service-provision") == []


def test_withdrawal_stops_sharing_at_once_and_tells_recipients(store: CafStore) -> None:
    store.apply(caf_event(_caf()))
    assert store.withdraw_consent("caf-1", "k-1", LEAD, "the parent withdrew consent by phone")
    assert store.read("caf-1", GP, "service-provision") is None
    assert store.read("caf-1", LEAD, "service-provision") is not None  # the lead professional still holds it
    events = StoreEventTable().pending(store.database.engine)
    assert [event.kind for event in events] == ["caf.consent.withdrawn"]
    assert events[0].event_id == withdrawal_event_id("caf-1", "k-1")
    assert events[0].payload["scope"] == ["GP1", "YOS1"]
    assert not store.withdraw_consent("caf-1", "k-none", LEAD, "no such consent")
    gp_recorder = GP.model_copy(update={"roles": frozenset({CAF_CONSENT, CAF_READ})})
    assert not store.withdraw_consent("caf-1", "k-1", gp_recorder, "only the CAF's holders record withdrawals")
    assert "k-1" in store.withdrawals("caf-1")
    with pytest.raises(AccessDenied):
        store.withdraw_consent("caf-1", "k-1", GP, "no caf.consent role")


def test_the_assessors_organisation_may_record_a_withdrawal(store: CafStore) -> None:
    store.apply(caf_event(_caf()))
    recorder = ASSESSOR_ORG.model_copy(update={"roles": frozenset({CAF_CONSENT})})
    assert store.withdraw_consent("caf-1", "k-1", recorder, "the young person withdrew consent")
    assert store.withdraw_consent("caf-1", "k-1", recorder, "recorded twice")  # harmless
    assert len(StoreEventTable().pending(store.database.engine)) == 1  # one event id, deduplicated
    assert store.read("caf-1", GP, "service-provision") is None


def test_replaying_an_old_message_after_withdrawal_does_not_re_share(store: CafStore) -> None:
    original = caf_event(_caf(), version=1)
    store.apply(original)
    store.apply(withdrawal_event("caf-1", "k-1", NOW - timedelta(minutes=1), version=2))
    assert store.read("caf-1", GP, "service-provision") is None
    assert store.apply(original).outcome == "duplicate"  # the same delivery again
    assert store.apply(caf_event(_caf(), version=1)).outcome == "stale"  # same version, new id
    assert store.apply(caf_event(_caf(), version=5)).outcome == "applied"  # a re-processed old message
    assert store.read("caf-1", GP, "service-provision") is None
    stored = store.read("caf-1", LEAD, "service-provision")
    assert stored is not None and stored.assessment.consents[0].withdrawn_at is not None


def test_a_withdrawal_arriving_before_the_caf_is_kept(store: CafStore) -> None:
    assert store.apply(withdrawal_event("caf-1", "k-1", NOW - timedelta(minutes=1))).outcome == "applied"
    store.apply(caf_event(_caf(), version=2))
    assert store.read("caf-1", GP, "service-provision") is None


def test_a_stale_copy_still_carries_its_withdrawal(store: CafStore) -> None:
    store.apply(caf_event(_caf(), version=3))
    withdrawn = _caf(consents=(_caf().consents[0].model_copy(update={"withdrawn_at": NOW - timedelta(hours=1)}),))
    assert store.apply(caf_event(withdrawn, version=2)).outcome == "stale"
    assert store.read("caf-1", GP, "service-provision") is None


def test_bad_caf_events_are_rejected(store: CafStore) -> None:
    event = caf_event(_caf())
    assert store.apply(event.model_copy(update={"subject": "caf:other"})).outcome == "rejected"
    assert store.apply(event.model_copy(update={"payload": {"assessment": {"caf_id": 5}}})).outcome == "rejected"
    assert store.apply(event.model_copy(update={"kind": "directory.child.purge"})).outcome == "rejected"
    assert store.apply(caf_event(_caf(caf_id="c" * 129))).outcome == "rejected"
    assert store.apply(event).outcome == "applied"


def test_fhir_export_is_valid_r4_and_follows_consent(store: CafStore) -> None:
    store.apply(caf_event(_caf()))
    body = store.export_fhir("caf-1", GP, "service-provision")
    assert body is not None
    bundle = orjson.loads(body)
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    (response,) = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    (consent,) = [r for r in resources if r["resourceType"] == "Consent"]
    QuestionnaireResponse.model_validate(response)
    FhirConsent.model_validate(consent)
    assert response["questionnaire"] == caf_fhir.CAF_QUESTIONNAIRE and response["meta"]["versionId"] == "1"
    assert [item["linkId"] for item in response["item"]] == [
        "development-of-child",
        "parents-and-carers",
        "family-and-environment",
        "conclusions",
        "lead-professional",
        "action",
    ]
    assert consent["status"] == "active"
    assert [actor["reference"]["identifier"]["value"] for actor in consent["provision"]["actor"]] == ["GP1", "YOS1"]
    assert store.export_fhir("caf-1", OTHER, "service-provision") is None
    store.withdraw_consent("caf-1", "k-1", LEAD, "parent withdrew")
    lead_copy = store.export_fhir("caf-1", LEAD, "service-provision")
    assert lead_copy is not None
    (withdrawn,) = [
        e["resource"] for e in orjson.loads(lead_copy)["entry"] if e["resource"]["resourceType"] == "Consent"
    ]
    assert withdrawn["status"] == "inactive" and "end" in withdrawn["provision"]["period"]


def test_the_export_uses_the_fhir_adapters_uris() -> None:
    for name in ("GATEWAY_BASE", "CAF_QUESTIONNAIRE", "CAF_ID_SYSTEM", "CHILD_ID_SYSTEM", "CONSENT_ID_SYSTEM",
                 "PRACTITIONER_ID_SYSTEM", "CONSENT_PURPOSE_SYSTEM", "CONSENT_OBTAINED_BY_EXTENSION"):  # fmt: skip
        assert getattr(caf_fhir, name) == getattr(systems, name), name
    assert systems.ORGANISATION_SYSTEMS["local"] == caf_fhir.LOCAL_ORGANISATION_SYSTEM


def test_the_export_is_deterministic_and_validates_for_a_bare_caf() -> None:
    bare = CafAssessment(caf_id="caf-2")
    bundle = caf_bundle(bare, child_id=None, at=NOW)
    assert bundle == caf_bundle(bare, child_id=None, at=NOW)
    Bundle.model_validate(bundle)
    full = caf_bundle(_caf(), child_id="c-1", at=NOW)
    Bundle.model_validate(full)
    for entry in full["entry"]:
        resource = dict(entry["resource"])
        kind = resource["resourceType"]
        module = __import__(f"fhir.resources.R4B.{kind.lower()}", fromlist=[kind])
        getattr(module, kind).model_validate(resource)
