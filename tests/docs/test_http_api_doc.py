"""The supplier HTTP guide: its assertion example authenticates, and its tables match the app."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.http.app import build_app
from gateway.http.bodies import CONTENT_TYPES
from gateway.security.scopes import SCOPES
from gateway.settings import Settings, load_settings
from tests.docs.guide_code import DOCS, guide_module
from tests.gateway.http.conftest import AUDIENCE, Api, make_api, settings_for

__all__ = ["make_api", "settings_for"]  # fixtures used here

GUIDE = DOCS / "suppliers" / "http-api.md"


def _example() -> ModuleType:
    return guide_module(GUIDE, "supplier_example")


def test_the_documented_assertion_authenticates(make_api: Callable[..., Api]) -> None:
    api = make_api()
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    api.clients.add("doc-cms", name="Doc", supplier_id="doc", la_codes=["201"], scopes=["submit"])
    api.clients.add_public_key("doc-cms", kid="doc-cms-2026", algorithm="ES256", public_key_pem=public.decode())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    make = _example().client_assertion
    token = make("doc-cms", "doc-cms-2026", pem, AUDIENCE)
    assert api.http.get("/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.http.get("/v1/rules", headers={"Authorization": f"Bearer {token}"}).status_code == 401  # replay
    escalated = make("doc-cms", "doc-cms-2026", pem, AUDIENCE, scope="submit operate")
    assert api.http.get("/v1/rules", headers={"Authorization": f"Bearer {escalated}"}).status_code == 403


def test_the_documented_content_types_and_settings_exist() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("| content type | format |") : text.index("Query parameters")]
    documented = set(re.findall(r"`([a-z]+/[a-z0-9+.-]+)`", table)) - {"multipart/form-data"}
    assert documented == set(CONTENT_TYPES)
    for name in re.findall(r"`ECM_([A-Z_]+)`", text):
        assert name.lower() in Settings.model_fields, name


def test_every_scope_is_documented_in_the_guide_and_the_security_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("| scope | lets you |") : text.index("## Authenticating every request")]
    assert set(re.findall(r"^\| `([a-z:]+)` \|", table, flags=re.M)) == set(SCOPES)
    security = (GUIDE.parents[1] / "security" / "README.md").read_text(encoding="utf-8")
    assert [scope for scope in SCOPES if f"`{scope}`" not in security] == []


def test_every_review_route_is_documented(tmp_path: Path) -> None:
    paths = build_app(load_settings(data_dir=tmp_path)).openapi()["paths"]
    routes = [path for path in paths if path.startswith(("/v1/reviews", "/v1/records/", "/v1/decisions/"))]
    assert len(routes) == 5
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Reviewing possible duplicates") : text.index("## Limits and errors")]
    assert [path for path in routes if path not in section] == []
