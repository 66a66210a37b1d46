"""An authenticated API on SQLite and PostgreSQL: two registered suppliers, an API key each, signing keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.http.app import build_app
from gateway.security import ClientStore
from gateway.settings import Settings, load_settings
from gateway.storage import Database

AUDIENCE = "https://gateway.test"
ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Api:
    """The test client plus the credentials of the registered clients."""

    http: TestClient
    app: FastAPI
    database: Database
    clients: ClientStore
    keys: dict[str, str] = field(default_factory=dict)
    signers: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)

    def key(self, client_id: str) -> dict[str, str]:
        """Headers authenticating with the client's API key."""
        return {"Authorization": f"ApiKey {self.keys[client_id]}"}

    def token(
        self, client_id: str, *, private: Any = None, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A fresh signed assertion for ``client_id`` (claims overridable; ``None`` drops one)."""
        now = datetime.now(UTC)
        body: dict[str, Any] = {
            "iss": client_id,
            "sub": client_id,
            "aud": AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=4)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        body.update(claims)
        body = {name: value for name, value in body.items() if value is not None}
        return jwt.encode(
            body,
            private or self.signers[client_id],
            algorithm="ES256",
            headers={"kid": f"{client_id}-1", **(headers or {})},
        )

    def bearer(self, client_id: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(client_id, **claims)}"}


def register(clients: ClientStore, api: dict[str, Any], client_id: str, la_codes: list[str], scopes: list[str]) -> None:
    clients.add(client_id, name=client_id, supplier_id=client_id, la_codes=la_codes, scopes=scopes)  # type: ignore[arg-type]
    api["keys"][client_id] = clients.issue_api_key(client_id).token
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    clients.add_public_key(client_id, kid=f"{client_id}-1", algorithm="ES256", public_key_pem=pem.decode())
    api["signers"][client_id] = private


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return load_settings(data_dir=tmp_path, public_url=AUDIENCE, **overrides)

    return make


@pytest.fixture
def make_api(database: Database, settings_for: Callable[..., Settings]) -> Iterator[Callable[..., Api]]:
    """Start the app with the given settings overrides; registers ``acme`` (LA 201, submit + validate),
    ``beacon`` (LA 202, submit), ``reader`` (LA 201, read:directory), ``ops`` (LA 201, operate)."""
    started: list[TestClient] = []

    def make(**overrides: Any) -> Api:
        clients = ClientStore(database)
        parts: dict[str, Any] = {"keys": {}, "signers": {}}
        if not clients.list():
            for client_id, la_codes, scopes in (
                ("acme", ["201"], ["submit", "validate"]),
                ("beacon", ["202"], ["submit"]),
                ("reader", ["201"], ["read:directory"]),
                ("ops", ["201"], ["operate"]),
            ):
                register(clients, parts, client_id, la_codes, scopes)
        app = build_app(settings_for(**overrides), database=database)
        http = TestClient(app)
        http.__enter__()
        started.append(http)
        return Api(http=http, app=app, database=database, clients=clients, keys=parts["keys"], signers=parts["signers"])

    yield make
    for http in started:
        http.__exit__(None, None, None)


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


def sample(relative: str) -> bytes:
    return (ROOT / relative).read_bytes()
