"""The app as a whole: health, metrics, validation, rules, the OpenAPI document, and no leaks in errors or logs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import orjson
import pytest
from sqlalchemy import func, select

from gateway.http.app import build_app
from gateway.storage import Database
from gateway.storage.tables import messages
from tests.gateway.http.conftest import Api, sample

SECRETS = ("Okonkwo", "Amara", "9434765919", "2015-03-14", "DEMO0001", "EC1A 1BB")


def test_nothing_is_built_until_the_app_starts(database: Database, settings_for: Callable[..., object]) -> None:
    app = build_app(settings_for(), database=database)  # type: ignore[arg-type]
    assert not hasattr(app.state, "submissions") and not hasattr(app.state, "authenticator")


def test_health_and_readiness(api: Api) -> None:
    assert api.http.get("/health/live").json() == {"status": "live"}
    ready = api.http.get("/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True
    assert {check["name"] for check in body["checks"]} >= {"database", "transport", "outbox"}
    assert "sqlite" not in ready.text or api.database.dialect == "sqlite"
    assert "://" not in ready.text


def test_readiness_fails_when_the_database_does_not_answer(api: Api) -> None:
    api.app.state.readiness = _failing(api.app.state.readiness, api.database)
    response = api.http.get("/health/ready")
    assert response.status_code == 503 and response.json()["ready"] is False


def _failing(check: Callable[[], object], database: Database) -> Callable[[], object]:
    from gateway.routing.readiness import readiness  # noqa: PLC0415
    from gateway.storage import open_database  # noqa: PLC0415

    broken = open_database("sqlite:////nonexistent-dir/none.sqlite3", migrate=False)
    return lambda: readiness(broken)


def test_metrics_count_requests_by_route_template(api: Api) -> None:
    api.http.post(
        "/v1/messages?message_id=m-metrics",
        content=sample("samples/canonical/children.jsonl"),
        headers={"Content-Type": "application/x-ndjson", **api.key("acme")},
    )
    api.http.get("/v1/messages/m-metrics", headers=api.key("acme"))
    text = api.http.get("/metrics").text
    assert 'ecm_http_requests_total{code="422",method="POST",route="/v1/messages"} 1.0' in text  # a rejected sample
    assert 'route="/v1/messages/{message_id}"' in text
    assert "m-metrics" not in text
    assert "ecm_outbox_pending" in text


def test_validate_answers_an_operation_outcome_and_stores_nothing(api: Api) -> None:
    response = api.http.post(
        "/v1/$validate",
        content=sample("samples/canonical/broken.jsonl"),
        headers={"Content-Type": "application/x-ndjson", **api.key("acme")},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert any(issue["severity"] == "error" for issue in outcome["issue"])
    assert all(issue["details"]["coding"][0]["code"] for issue in outcome["issue"])
    clean = api.http.post(
        "/v1/$validate",
        content=sample("samples/fhir/child-with-caf.json"),
        headers={"Content-Type": "application/fhir+json", **api.key("acme")},
    )
    assert clean.status_code == 200 and not any(issue["severity"] == "error" for issue in clean.json()["issue"])
    with api.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(messages)).scalar_one() == 0


def test_rules_catalogue(api: Api) -> None:
    catalogue = api.http.get("/v1/rules", headers=api.key("acme")).json()
    packs = {pack["id"]: pack for pack in catalogue["packs"]}
    assert {"ics-1b", "ics-1c"} <= set(packs) and catalogue["profile"] == "ics-1c"
    assert any(rule["id"] == "ics-1b/assessment-child-seen" for rule in packs["ics-1b"]["rules"])
    one = api.http.get("/v1/rules?pack=ics-1c", headers=api.key("acme")).json()
    assert [pack["id"] for pack in one["packs"]] == ["ics-1c"]
    assert api.http.get("/v1/rules?pack=no-such-pack", headers=api.key("acme")).status_code == 404


def test_every_operation_documents_its_status_codes(api: Api) -> None:
    document = api.http.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"413", "500"} <= codes, (method, path)
            if path.startswith("/v1/"):
                assert {"401", "403", "422", "429"} <= codes, (method, path)
    submit = set(document["paths"]["/v1/messages"]["post"]["responses"])
    assert submit == {"200", "201", "202", "400", "401", "403", "409", "413", "415", "422", "429", "500", "503"}
    assert "application/fhir+json" in document["paths"]["/v1/messages"]["post"]["requestBody"]["content"]


def test_an_unexpected_error_is_a_bare_500_and_is_logged_without_its_text(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    @api.app.get("/boom")
    def boom() -> None:
        raise ValueError("Amara Okonkwo 9434765919 born 2015-03-14")

    with caplog.at_level(logging.DEBUG):
        response = api.http.get("/boom")
    assert response.status_code == 500 and response.json() == {"error": "internal error"}
    assert "Traceback" not in response.text
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "ValueError" in logged
    for secret in SECRETS:
        assert secret not in logged


def test_a_full_run_logs_no_personal_data(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    children = sample("samples/canonical/children.jsonl")
    with caplog.at_level(logging.DEBUG):
        api.http.post(
            "/v1/messages?message_id=m-logs",
            content=children,
            headers={"Content-Type": "application/x-ndjson", **api.key("acme")},
        )
        api.http.post(
            "/v1/messages", content=children, headers={"Content-Type": "application/x-ndjson", **api.key("beacon")}
        )
        api.http.get("/v1/messages/m-logs", headers=api.key("acme"))
        api.http.get("/v1/messages/m-logs", headers={"Authorization": "Bearer Okonkwo.9434765919.x"})
        api.http.post(
            "/v1/$validate", content=children, headers={"Content-Type": "application/x-ndjson", **api.key("acme")}
        )
    logged = "\n".join(
        f"{record.getMessage()} {orjson.dumps(record.__dict__, default=str).decode()}" for record in caplog.records
    )
    assert caplog.records
    for secret in SECRETS:
        assert secret not in logged, secret
