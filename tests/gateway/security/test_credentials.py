"""Client credentials: API keys stored hashed, signed-JWT assertions and every way to forge them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from gateway.errors import ConfigurationError
from gateway.security import AssertionVerifier, ClientStore, InvalidCredentials
from gateway.security.tables import api_keys
from gateway.storage import Database

AUDIENCE = "https://gateway.example/v1"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(database: Database) -> ClientStore:
    s = ClientStore(database, clock=lambda: NOW)
    s.add("acme-cms", name="Acme CMS", supplier_id="acme", la_codes=["201", "202"], scopes=["submit"])
    return s


@pytest.fixture
def signing_key(store: ClientStore) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    store.add_public_key("acme-cms", kid="acme-1", algorithm="ES256", public_key_pem=pem.decode())
    return key


def _claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "acme-cms",
        "sub": "acme-cms",
        "aud": AUDIENCE,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=4)).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(key: ec.EllipticCurvePrivateKey, **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), key, algorithm="ES256", headers={"kid": "acme-1"})


def _verifier(store: ClientStore, now: datetime = NOW) -> AssertionVerifier:
    return AssertionVerifier(store, AUDIENCE, clock=lambda: now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_assertion_identifies_the_client(store: ClientStore, signing_key: ec.EllipticCurvePrivateKey) -> None:
    client = _verifier(store).verify(_sign(signing_key))
    assert client.client_id == "acme-cms"
    assert client.may_submit_for("201")
    assert not client.may_submit_for("203")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int((NOW - timedelta(minutes=2)).timestamp())}, "ExpiredSignatureError"),
        ({"aud": "https://other.example"}, "InvalidAudienceError"),
        ({"iss": "someone-else"}, "InvalidIssuerError"),
        ({"sub": "someone-else"}, "subject"),
        ({"jti": None}, "MissingRequiredClaimError"),
        ({"exp": None}, "MissingRequiredClaimError"),
        ({"exp": int((NOW + timedelta(hours=1)).timestamp())}, "five minutes"),
    ],
)
def test_bad_claims_are_refused(
    store: ClientStore, signing_key: ec.EllipticCurvePrivateKey, overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidCredentials, match=reason):
        _verifier(store).verify(_sign(signing_key, **overrides))


def test_alg_none_is_refused(store: ClientStore, signing_key: ec.EllipticCurvePrivateKey) -> None:
    header = _b64(json.dumps({"alg": "none", "kid": "acme-1", "typ": "JWT"}).encode())
    token = f"{header}.{_b64(json.dumps(_claims()).encode())}."
    with pytest.raises(InvalidCredentials, match="algorithm"):
        _verifier(store).verify(token)


def test_hs256_signed_with_the_public_key_is_refused(
    store: ClientStore, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    registered = store.public_key("acme-1")
    assert registered is not None
    header = _b64(json.dumps({"alg": "HS256", "kid": "acme-1", "typ": "JWT"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(registered[2].encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidCredentials, match="algorithm"):
        _verifier(store).verify(f"{header}.{body}.{_b64(signature)}")


def test_replayed_assertion_is_refused(store: ClientStore, signing_key: ec.EllipticCurvePrivateKey) -> None:
    token = _sign(signing_key)
    _verifier(store).verify(token)
    with pytest.raises(InvalidCredentials, match="replayed"):
        _verifier(store).verify(token)


def test_token_signed_by_another_key_is_refused(store: ClientStore, signing_key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidCredentials, match="InvalidSignatureError"):
        _verifier(store).verify(_sign(other))


def test_unknown_and_revoked_keys_and_clients_are_refused(
    store: ClientStore, signing_key: ec.EllipticCurvePrivateKey
) -> None:
    unknown_kid = jwt.encode(_claims(), signing_key, algorithm="ES256", headers={"kid": "nope"})
    with pytest.raises(InvalidCredentials, match="unknown"):
        _verifier(store).verify(unknown_kid)
    with pytest.raises(InvalidCredentials, match="malformed"):
        _verifier(store).verify("not-a-token")
    assert store.revoke_public_key("acme-1")
    with pytest.raises(InvalidCredentials, match="revoked"):
        _verifier(store).verify(_sign(signing_key))


def test_revoking_the_client_revokes_its_keys(store: ClientStore, signing_key: ec.EllipticCurvePrivateKey) -> None:
    issued = store.issue_api_key("acme-cms")
    assert store.revoke("acme-cms")
    assert store.authenticate_api_key(issued.token) is None
    with pytest.raises(InvalidCredentials):
        _verifier(store).verify(_sign(signing_key))
    assert not store.revoke("acme-cms")


def test_api_keys_are_stored_only_as_hashes(store: ClientStore) -> None:
    issued = store.issue_api_key("acme-cms")
    client = store.authenticate_api_key(issued.token)
    assert client is not None and client.client_id == "acme-cms"
    secret = issued.token.rsplit("_", 1)[1]
    with store.database.engine.connect() as conn:
        stored = conn.execute(select(api_keys)).mappings().all()
    assert len(stored) == 1
    assert secret not in str(dict(stored[0]))
    assert store.authenticate_api_key(issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")) is None
    assert store.authenticate_api_key("garbage") is None
    assert store.revoke_api_key(issued.key_id)
    assert store.authenticate_api_key(issued.token) is None


def test_registration_refuses_unsafe_algorithms_and_private_keys(store: ClientStore) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    for algorithm in ("none", "HS256"):
        with pytest.raises(ConfigurationError, match="not allowed"):
            store.add_public_key("acme-cms", kid="k", algorithm=algorithm, public_key_pem=public_pem)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(ConfigurationError, match="not a PEM-encoded public key"):
        store.add_public_key("acme-cms", kid="k", algorithm="ES256", public_key_pem=private_pem)
    # A key-pair file: its public key parses, and the private key beside it must still never be stored.
    with pytest.raises(ConfigurationError, match="that is a private key"):
        store.add_public_key("acme-cms", kid="k", algorithm="ES256", public_key_pem=public_pem + private_pem)
    assert store.public_key("k") is None


def test_client_validation(store: ClientStore) -> None:
    with pytest.raises(ConfigurationError, match="already exists"):
        store.add("acme-cms", name="x", supplier_id="x", la_codes=["201"], scopes=["submit"])
    with pytest.raises(ConfigurationError, match="LA number"):
        store.add("b", name="x", supplier_id="x", la_codes=["20"], scopes=["submit"])
    with pytest.raises(ConfigurationError, match="unknown scopes"):
        store.add("c", name="x", supplier_id="x", la_codes=["201"], scopes=["root"])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="client id"):
        store.add("Bad Id", name="x", supplier_id="x", la_codes=["201"], scopes=["submit"])
    assert [c.client_id for c in store.list()] == ["acme-cms"]
