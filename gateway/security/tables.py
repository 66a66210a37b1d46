"""Tables for client credentials (kept beside the other tables in the shared metadata)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, String, Table, Text

from gateway.storage.tables import metadata

__all__ = ["api_keys", "clients", "public_keys", "seen_assertions"]

clients = Table(
    "security_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("supplier_id", String(128), nullable=False),
    Column("la_codes", JSON, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
"""Supplier systems (and operators' tools) that may call the gateway, their councils and scopes."""

api_keys = Table(
    "security_api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("client_id", String(64), ForeignKey("security_clients.client_id"), nullable=False, index=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
"""API keys, stored only as SHA-256 of a 256-bit random secret (never the key itself)."""

public_keys = Table(
    "security_public_keys",
    metadata,
    Column("kid", String(128), primary_key=True),
    Column("client_id", String(64), ForeignKey("security_clients.client_id"), nullable=False, index=True),
    Column("algorithm", String(16), nullable=False),
    Column("public_key_pem", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
"""Public keys that verify a client's signed-JWT assertions; the algorithm is pinned per key."""

seen_assertions = Table(
    "security_seen_assertions",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("jti", String(128), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
"""Assertion ids already used (until they expire), so a captured assertion cannot be replayed."""
