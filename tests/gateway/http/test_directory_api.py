"""The directory API: typed routes over the store; 401 until authentication lands; no values in errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway import Address
from gateway.access import Caller
from gateway.http.app import build_app
from gateway.http.dependencies import authenticated_caller
from gateway.storage import Database
from gateway.store_events import StoreEventTable
from tests.gateway.store_data import BREAK_GLASS, PRACTITIONER, READER, child_record, upsert_event


@pytest.fixture
def app(database: Database) -> FastAPI:
    return build_app(database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        app.state.directory_store.apply(upsert_event(child_record()))
        app.state.directory_store.apply(
            upsert_event(child_record("c-s", shielded=True, addresses=(Address(postcode="E1 6AN"),)))
        )
        yield test_client


def _as(app: FastAPI, caller: Caller) -> None:
    app.dependency_overrides[authenticated_caller] = lambda: caller


def test_every_route_refuses_an_unauthenticated_caller(client: TestClient) -> None:
    for method, url, body in (
        ("POST", "/v1/directory/searches", {"family_name": "Smith", "given_name": "W", "purpose": "safeguarding"}),
        ("GET", "/v1/directory/children/c-1?purpose=safeguarding", None),
        ("GET", "/v1/directory/children/c-1/involvements?purpose=safeguarding", None),
        ("POST", "/v1/directory/children/c-s/break-glass", {"reason": "police request about the child"}),
    ):
        response = client.request(method, url, json=body, headers={"X-User": "u-lead", "X-Roles": "directory.read"})
        assert response.status_code == 401, url
        assert response.json() == {"error": "authentication required"}


def test_search_view_and_involvements(app: FastAPI, client: TestClient) -> None:
    _as(app, READER)
    found = client.post(
        "/v1/directory/searches", json={"family_name": "Smyth", "given_name": "Will", "purpose": "safeguarding"}
    )
    assert found.status_code == 200
    assert [hit["child_id"] for hit in found.json()["results"]] == ["c-1", "c-s"]  # same name, same score
    entry = client.get("/v1/directory/children/c-1", params={"purpose": "safeguarding"})
    assert entry.status_code == 200 and entry.json()["address"]["postcode"] == "NW1 1AA"
    who = client.get("/v1/directory/children/c-1/involvements", params={"purpose": "contact-practitioner"})
    assert [item["service_type"] for item in who.json()["involvements"]] == ["school-nursing"]
    missing = client.get("/v1/directory/children/c-none", params={"purpose": "safeguarding"})
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})


def test_a_search_on_a_hidden_field_answers_exactly_like_a_miss(app: FastAPI, client: TestClient) -> None:
    _as(app, READER)
    criteria = {"birth_date": "2015-03-01", "purpose": "safeguarding"}
    hidden = client.post("/v1/directory/searches", json={"postcode": "E1 6AN", **criteria})
    miss = client.post("/v1/directory/searches", json={"postcode": "ZZ9 9ZZ", **criteria})
    assert hidden.status_code == miss.status_code == 200
    assert hidden.content == miss.content == b'{"results":[],"more":false}'
    assert {key.lower() for key in hidden.headers} == {key.lower() for key in miss.headers}


def test_break_glass_through_the_api(app: FastAPI, client: TestClient) -> None:
    _as(app, READER)
    assert client.post("/v1/directory/children/c-s/break-glass", json={"reason": "police request re child"}).json() == {
        "error": "forbidden"
    }
    _as(app, BREAK_GLASS)
    short = client.post("/v1/directory/children/c-s/break-glass", json={"reason": "why"})
    assert short.status_code == 422
    response = client.post("/v1/directory/children/c-s/break-glass", json={"reason": "police request re child"})
    assert response.status_code == 200
    assert response.json()["entry"]["address"]["postcode"] == "E1 6AN"
    assert [event.kind for event in StoreEventTable().pending(app.state.directory_store.database.engine)] == [
        "directory.shield.lifted"
    ]


def test_practitioners_record_and_end_their_involvement(app: FastAPI, client: TestClient) -> None:
    _as(app, PRACTITIONER)
    created = client.post(
        "/v1/directory/children/c-1/involvements",
        json={"service_type": "youth-offending", "start": "2025-05-01", "role": "case worker"},
    )
    assert created.status_code == 201
    involvement = created.json()
    assert involvement["recorded_by"] == "practitioner"
    assert involvement["organisation"]["code"] == "ORG-P"
    url = f"/v1/directory/children/c-1/involvements/{involvement['involvement_id']}/end"
    assert client.post(url, json={"end": "2020-01-01"}).status_code == 422
    ended = client.post(url, json={"end": "2025-06-01"})
    assert ended.status_code == 200 and ended.json()["end"] == "2025-06-01"
    supplier = client.post("/v1/directory/children/c-1/involvements/inv-1/end", json={"end": "2025-06-01"})
    assert supplier.status_code == 403
    sensitive = client.post(
        "/v1/directory/children/c-1/involvements",
        json={"service_type": "clinic", "start": "2025-05-01", "sensitive_category": "mental_health"},
    )
    assert sensitive.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"family_name": "Secretname", "given_name": "Hiddenvalue", "purpose": "nosy"},
        {"given_name": "Hiddenvalue", "purpose": "safeguarding"},
        {"postcode": "Hiddenvalue" * 3, "purpose": "safeguarding"},
        {"postcode": "Hiddenvalue", "purpose": "safeguarding"},
        {"nhs_number": "Hidden\u0000value", "purpose": "safeguarding"},
        {"birth_date": "Hiddenvalue", "purpose": "safeguarding"},
        {"family_name": "Smith", "purpose": "safeguarding", "Hiddenvalue": "Secretname"},
    ],
)
def test_error_bodies_never_echo_values(app: FastAPI, client: TestClient, body: dict[str, str]) -> None:
    _as(app, READER)
    response = client.post("/v1/directory/searches", json=body)
    assert response.status_code == 422
    assert "Hiddenvalue" not in response.text and "Secretname" not in response.text
    assert response.json()["error"] == "invalid request"
    assert response.json()["problems"]


def test_malformed_json_is_refused_without_echo(app: FastAPI, client: TestClient) -> None:
    _as(app, READER)
    response = client.post(
        "/v1/directory/searches",
        content=b'{"family_name": "Hiddenvalue", ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422 and "Hiddenvalue" not in response.text
