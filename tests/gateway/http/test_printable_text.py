"""Control characters in free text or ids are refused with 422 before anything is done (found by
schemathesis: a NUL in a break-glass reason reached PostgreSQL's audit insert and answered 503)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from gateway.http.text import printable
from gateway.storage.tables import audit_log
from tests.gateway.http.conftest import Api

BREAK_GLASS = {"sub": "prac-0042", "roles": ["directory.read", "directory.break-glass"]}


def _audited(api: Api) -> int:
    with api.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


@pytest.mark.parametrize(
    "reason", ["police request\x00 about the child", "police request \x1b[2J about", "\ud800" * 12]
)
def test_a_reason_with_control_characters_is_refused_and_nothing_is_audited(api: Api, reason: str) -> None:
    before = _audited(api)
    response = api.http.post(
        "/v1/directory/children/c-1/break-glass",
        content=json.dumps({"reason": reason}),  # control characters escaped as JSON allows
        headers={**api.bearer("reader", act=BREAK_GLASS), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "police" not in response.text
    assert _audited(api) == before


def test_an_id_with_a_nul_in_the_path_is_refused(api: Api) -> None:
    url = "/v1/directory/children/c-1/involvements/inv%00x/end"
    response = api.http.post(url, json={"end": "2026-01-01"}, headers=api.bearer("reader", act=BREAK_GLASS))
    assert response.status_code == 422


def test_tabs_and_line_breaks_stay_allowed_in_free_text() -> None:
    assert printable("first line\n\tsecond line\r\n") == "first line\n\tsecond line\r\n"
    with pytest.raises(ValueError, match="control"):
        printable("a\x00b")


@pytest.mark.parametrize(
    "body",
    [
        {"service_type": "school\x00nursing", "start": "2025-01-01"},
        {"service_type": "school nursing", "start": "2025-01-01", "organisation_name": "Clinic\x00"},
        {"service_type": "school nursing", "start": "2025-01-01", "contacts": [{"system": "phone", "value": "0\x07"}]},
    ],
)
def test_any_string_of_a_store_request_with_a_control_character_is_refused(api: Api, body: dict[str, object]) -> None:
    before = _audited(api)
    headers = {**api.bearer("reader", act=BREAK_GLASS), "Content-Type": "application/json"}
    response = api.http.post("/v1/directory/children/c-1/involvements", content=json.dumps(body), headers=headers)
    assert response.status_code == 422
    assert response.json()["problems"][0]["type"] == "control_characters"
    assert "nursing" not in response.text and "Clinic" not in response.text
    assert _audited(api) == before
