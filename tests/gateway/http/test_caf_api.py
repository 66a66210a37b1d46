"""The CAF API: reads only within consent, 404 alike for absent and not allowed, FHIR export, withdrawal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from gateway import CafAssessment, Consent, Organisation, Practitioner
from gateway.access import CAF_CONSENT, CAF_READ, Caller
from gateway.http.app import build_app
from gateway.http.dependencies import authenticated_caller
from gateway.storage import Database
from tests.gateway.store_data import caf_event

LEAD = Caller(user_id="p-lead", organisation_code="HV1", roles=frozenset({CAF_READ, CAF_CONSENT}))
GP = Caller(user_id="gp-1", organisation_code="GP1", roles=frozenset({CAF_READ}))
OTHER = Caller(user_id="x", organisation_code="OTHER", roles=frozenset({CAF_READ}))

CAF = CafAssessment(
    caf_id="caf-1",
    status="completed",
    assessor=Practitioner(practitioner_id="p-a", organisation=Organisation(code="SCH1")),
    conclusions="coordinated support",
    lead_professional=Practitioner(practitioner_id="p-lead"),
    consents=(
        Consent(
            consent_id="k-1",
            given_by_role="parent",
            scope=("GP1",),
            given_at=datetime.now(UTC) - timedelta(days=3),
        ),
    ),
)


@pytest.fixture
def app(database: Database) -> Iterator[FastAPI]:
    application = build_app(database=database)
    with TestClient(application):
        application.state.caf_store.apply(caf_event(CAF))
        yield application


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def _as(app: FastAPI, caller: Caller) -> None:
    app.dependency_overrides[authenticated_caller] = lambda: caller


def test_unauthenticated_is_refused(client: TestClient) -> None:
    response = client.get("/v1/caf/assessments/caf-1", params={"purpose": "service-provision"})
    assert response.status_code == 401


def test_read_within_consent_and_not_outside(app: FastAPI, client: TestClient) -> None:
    _as(app, GP)
    response = client.get("/v1/caf/assessments/caf-1", params={"purpose": "service-provision"})
    assert response.status_code == 200
    assert response.json()["assessment"]["conclusions"] == "coordinated support"
    assert response.json()["child_id"] == "c-1"
    listed = client.get("/v1/caf/children/c-1/assessments", params={"purpose": "service-provision"})
    assert listed.json()["assessments"][0]["basis"] == "consent"
    _as(app, OTHER)
    refused = client.get("/v1/caf/assessments/caf-1", params={"purpose": "service-provision"})
    absent = client.get("/v1/caf/assessments/caf-none", params={"purpose": "service-provision"})
    assert refused.status_code == absent.status_code == 404
    assert refused.content == absent.content
    assert client.get("/v1/caf/children/c-1/assessments", params={"purpose": "audit"}).json()["assessments"] == []


def test_fhir_export(app: FastAPI, client: TestClient) -> None:
    _as(app, GP)
    response = client.get("/v1/caf/assessments/caf-1/fhir", params={"purpose": "service-provision"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    Bundle.model_validate_json(response.content)


def test_withdrawal_through_the_api_stops_sharing(app: FastAPI, client: TestClient) -> None:
    _as(app, GP)
    denied = client.post("/v1/caf/assessments/caf-1/consents/k-1/withdrawal", json={"reason": "asked"})
    assert denied.status_code == 403
    _as(app, LEAD)
    done = client.post("/v1/caf/assessments/caf-1/consents/k-1/withdrawal", json={"reason": "parent withdrew"})
    assert done.status_code == 204
    missing = client.post("/v1/caf/assessments/caf-1/consents/k-9/withdrawal", json={"reason": "parent withdrew"})
    assert missing.status_code == 404
    _as(app, GP)
    assert client.get("/v1/caf/assessments/caf-1", params={"purpose": "service-provision"}).status_code == 404


def test_errors_do_not_echo(app: FastAPI, client: TestClient) -> None:
    _as(app, GP)
    response = client.get("/v1/caf/assessments/caf-1", params={"purpose": "Hiddenvalue", "version": "Secretname"})
    assert response.status_code == 422
    assert "Hiddenvalue" not in response.text and "Secretname" not in response.text
