"""``ecm-gateway clients``: register, issue and rotate credentials, revoke — and what each does to authentication."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from gateway.cli.app import app
from gateway.security.clients import ClientStore
from gateway.storage import open_database

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"ECM_DATABASE_URL": database_url, "COLUMNS": "200"}


def _store(url: str) -> ClientStore:
    return ClientStore(open_database(url))


def _public_pem(tmp_path: Path, name: str) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / f"{name}.pub.pem"
    path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return path


def test_a_client_is_registered_listed_and_its_api_keys_rotated(database_url: str, env: dict[str, str]) -> None:
    added = runner.invoke(
        app,
        ["clients", "add", "acme-cms", "--name", "Acme CMS", "--supplier", "acme", "--la", "201", "--scope", "submit"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["clients", "list"], env=env)
    assert "acme-cms" in listed.output and "201" in listed.output and "active" in listed.output

    first = runner.invoke(app, ["clients", "api-key", "acme-cms"], env=env)
    second = runner.invoke(app, ["clients", "api-key", "acme-cms"], env=env)
    assert first.exit_code == 0 and second.exit_code == 0
    first_token, second_token = first.output.strip().splitlines()[-1], second.output.strip().splitlines()[-1]
    first_id = first_token.split("_")[1]
    store = _store(database_url)
    try:
        assert store.authenticate_api_key(first_token) is not None
        revoked = runner.invoke(app, ["clients", "revoke-api-key", first_id], env=env)
        assert revoked.exit_code == 0, revoked.output
        assert store.authenticate_api_key(first_token) is None
        assert store.authenticate_api_key(second_token) is not None  # the new key keeps working
        again = runner.invoke(app, ["clients", "revoke-api-key", first_id], env=env)
        assert again.exit_code == 1 and "no active API key" in again.output
    finally:
        store.database.dispose()


def test_signing_keys_rotate_by_kid_and_revoking_the_client_refuses_everything(
    database_url: str, env: dict[str, str], tmp_path: Path
) -> None:
    assert (
        runner.invoke(
            app, ["clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "201"], env=env
        ).exit_code
        == 0
    )
    for kid in ("acme-2025", "acme-2026"):
        pem = str(_public_pem(tmp_path, kid))
        result = runner.invoke(
            app, ["clients", "add-key", "acme-cms", "--kid", kid, "--alg", "ES256", "--public-key", pem], env=env
        )
        assert result.exit_code == 0, result.output
    store = _store(database_url)
    try:
        assert store.public_key("acme-2025") is not None and store.public_key("acme-2026") is not None
        assert runner.invoke(app, ["clients", "revoke-key", "acme-2025"], env=env).exit_code == 0
        assert store.public_key("acme-2025") is None
        assert store.public_key("acme-2026") is not None
        assert runner.invoke(app, ["clients", "revoke-key", "acme-2025"], env=env).exit_code == 1

        token = runner.invoke(app, ["clients", "api-key", "acme-cms"], env=env).output.strip().splitlines()[-1]
        assert runner.invoke(app, ["clients", "revoke", "acme-cms"], env=env).exit_code == 0
        assert store.public_key("acme-2026") is None
        assert store.authenticate_api_key(token) is None
    finally:
        store.database.dispose()


def test_a_private_key_or_a_symmetric_algorithm_is_refused(
    database_url: str, env: dict[str, str], tmp_path: Path
) -> None:
    runner.invoke(app, ["clients", "add", "acme-cms", "--name", "Acme", "--supplier", "acme", "--la", "201"], env=env)
    pem = _public_pem(tmp_path, "k")
    hs = runner.invoke(
        app, ["clients", "add-key", "acme-cms", "--kid", "k1", "--alg", "HS256", "--public-key", str(pem)], env=env
    )
    assert hs.exit_code == 2
    private = tmp_path / "private.pem"
    private.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    refused = runner.invoke(
        app, ["clients", "add-key", "acme-cms", "--kid", "k2", "--alg", "ES256", "--public-key", str(private)], env=env
    )
    assert refused.exit_code == 2
