"""Authentication and scopes through the API: every forged, stale or replayed credential is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.audit import AuditLog
from tests.gateway.http.conftest import AUDIENCE, Api

RULES = "/v1/rules"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(client_id: str = "acme", **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=4)).timestamp()),
        "jti": "j-" + _b64(now.isoformat().encode()),
    }
    claims.update(overrides)
    return claims


def _unsigned(alg: str, claims: dict[str, Any], sign: bytes | None = None) -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "acme-1"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = b"" if sign is None else hmac.new(sign, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _refused(api: Api, headers: dict[str, str], url: str = RULES) -> None:
    response = api.http.get(url, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json() == {"error": "authentication required"}
    assert "Bearer" in response.headers["www-authenticate"] and "ApiKey" in response.headers["www-authenticate"]


def test_a_valid_assertion_and_a_valid_api_key_are_accepted(api: Api) -> None:
    assert api.http.get(RULES, headers=api.bearer("acme")).status_code == 200
    assert api.http.get(RULES, headers=api.key("acme")).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWNtZTpwYXNzd29yZA=="},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "ApiKey ecm_AAAAAAAAAAAAAAAA_" + "A" * 43},
        {"X-API-Key": "anything", "X-Client-Id": "acme", "X-Forwarded-For": "10.0.0.1"},
    ],
)
def test_missing_or_malformed_credentials_are_refused(api: Api, headers: dict[str, str]) -> None:
    _refused(api, headers)


def test_expired_token_is_refused(api: Api) -> None:
    past = datetime.now(UTC) - timedelta(minutes=10)
    _refused(
        api,
        api.bearer("acme", iat=int(past.timestamp()), exp=int((past + timedelta(minutes=4)).timestamp())),
    )


def test_wrong_audience_issuer_or_missing_claims_are_refused(api: Api) -> None:
    _refused(api, api.bearer("acme", aud="https://other-gateway.test"))
    _refused(api, api.bearer("acme", iss="beacon"))
    _refused(api, api.bearer("acme", jti=None))
    _refused(api, api.bearer("acme", exp=int((datetime.now(UTC) + timedelta(hours=2)).timestamp())))


def test_alg_none_is_refused(api: Api) -> None:
    _refused(api, {"Authorization": f"Bearer {_unsigned('none', _claims())}"})
    _refused(api, {"Authorization": f"Bearer {_unsigned('none', _claims())[:-1]}"})


def test_hs256_signed_with_the_public_key_is_refused(api: Api) -> None:
    public = api.signers["acme"].public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _refused(api, {"Authorization": f"Bearer {_unsigned('HS256', _claims(), sign=pem)}"})


def test_a_token_signed_by_another_key_is_refused(api: Api) -> None:
    _refused(api, {"Authorization": f"Bearer {api.token('acme', private=ec.generate_private_key(ec.SECP256R1()))}"})
    _refused(api, {"Authorization": f"Bearer {api.token('acme', headers={'kid': 'unknown-kid'})}"})


def test_a_replayed_token_is_refused(api: Api) -> None:
    headers = api.bearer("acme")
    assert api.http.get(RULES, headers=headers).status_code == 200
    _refused(api, headers)


def test_revoked_key_and_revoked_client_are_refused(api: Api) -> None:
    key_id = api.keys["acme"].split("_")[1]
    assert api.clients.revoke_api_key(key_id)
    _refused(api, api.key("acme"))
    assert api.http.get(RULES, headers=api.bearer("acme")).status_code == 200  # the signing key still works
    assert api.clients.revoke("acme")
    _refused(api, api.bearer("acme"))


def test_scope_escalation_is_refused(api: Api) -> None:
    granted = api.http.get(RULES, headers=api.bearer("acme", scope="submit"))
    assert granted.status_code == 200
    escalated = api.http.get(RULES, headers=api.bearer("acme", scope="submit operate"))
    assert escalated.status_code == 403
    assert escalated.json() == {"error": "the token asks for a scope this client was not granted"}
    invented = api.http.get(RULES, headers=api.bearer("acme", scope="admin"))
    assert invented.status_code == 403


def test_a_route_refuses_a_client_without_its_scope(api: Api) -> None:
    body = b'{"child": {}}\n'
    headers = {"Content-Type": "application/x-ndjson"}
    for who in (api.key("reader"), api.bearer("acme", scope="validate")):
        refused = api.http.post("/v1/messages", content=body, headers={**headers, **who})
        assert refused.status_code == 403
        assert refused.json() == {"error": "this request needs the 'submit' scope"}
    assert api.http.post("/v1/$validate", content=body, headers={**headers, **api.key("beacon")}).status_code == 403
    search = {"family_name": "Smith", "given_name": "Will", "purpose": "safeguarding"}
    assert api.http.post("/v1/directory/searches", json=search, headers=api.key("acme")).status_code == 403
    assert api.http.post("/v1/directory/searches", json={"x": 1}, headers=api.key("acme")).status_code == 403
    assert api.http.get("/v1/caf/assessments/caf-1?purpose=safeguarding", headers=api.key("reader")).status_code == 403
    assert api.http.post("/v1/directory/searches", json=search, headers=api.key("reader")).status_code == 200


def test_the_acting_practitioner_is_audited_and_cannot_be_given_more_than_the_scopes(api: Api) -> None:
    search = {"family_name": "Smith", "given_name": "Will", "purpose": "safeguarding"}
    practitioner = api.bearer("reader", act={"sub": "prac-0042"})
    assert api.http.post("/v1/directory/searches", json=search, headers=practitioner).status_code == 200
    system = api.http.post("/v1/directory/searches", json=search, headers=api.key("reader"))
    assert system.status_code == 200
    actors = [(entry.entry.actor_user, entry.entry.actor_org) for entry in AuditLog().entries(api.database.engine)]
    assert ("prac-0042", "reader") in actors and ("client:reader", "reader") in actors

    escalated = api.bearer("reader", act={"sub": "prac-0042", "roles": ["caf.read"]})
    assert api.http.post("/v1/directory/searches", json=search, headers=escalated).status_code == 403
    anonymous_roles = api.bearer("reader", act={"roles": ["directory.read"]})
    assert api.http.post("/v1/directory/searches", json=search, headers=anonymous_roles).status_code == 401
    bad_actor = api.bearer("reader", act={"sub": "<script>"})
    assert api.http.post("/v1/directory/searches", json=search, headers=bad_actor).status_code == 401


def test_break_glass_needs_a_named_user_whose_system_asserts_it(api: Api) -> None:
    body = {"reason": "police request about the child"}
    url = "/v1/directory/children/c-none/break-glass"
    assert api.http.post(url, json=body, headers=api.key("reader")).status_code == 403
    named = api.bearer("reader", act={"sub": "prac-0042", "roles": ["directory.read", "directory.break-glass"]})
    assert api.http.post(url, json=body, headers=named).status_code == 404  # allowed; no such child
