"""Tables for routing (in the shared metadata): the outbox, per-subject versions, collected dead letters,
and the local durable transport's exchanges, queues, bindings and messages.

Schema changes go through Alembic revisions ``0301`` (outbox, versions, dead letters) and ``0302``
(local transport).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from gateway.storage.tables import metadata

__all__ = [
    "dead_letters",
    "outbox",
    "subject_versions",
    "transport_bindings",
    "transport_exchanges",
    "transport_messages",
    "transport_queues",
]

_Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY

outbox = Table(
    "outbox",
    metadata,
    Column("outbox_id", _Id, primary_key=True, autoincrement=True),
    Column("message_id", String(128), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("exchange", String(255), nullable=False),
    Column("routing_key", String(255), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(200), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_message_id", "message_id"),
    Index(
        "ix_outbox_pending",
        "outbox_id",
        postgresql_where=Column("sent_at").is_(None),
        sqlite_where=Column("sent_at").is_(None),
    ),
)
"""Outgoing messages written in the same transaction as the outcome; the relay publishes and marks them sent."""

subject_versions = Table(
    "subject_versions",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("version", BigInteger, nullable=False),
)
"""The last version assigned per subject (a child, a CAF, a message): events carry monotonic versions."""

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("dead_letter_id", _Id, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False),
    Column("queue", String(255), nullable=False),
    Column("message_id", String(128), nullable=True),
    Column("event_id", String(128), nullable=False),
    Column("kind", String(64), nullable=True),
    Column("exchange", String(255), nullable=False),
    Column("routing_key", String(255), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("content_type", String(100), nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("replayed_at", DateTime(timezone=True), nullable=True),
    Column("replay_count", Integer, nullable=False, default=0),
    Column("payload_removed_at", DateTime(timezone=True), nullable=True),  # revision 0204: body emptied
    Column("payload_removed_reason", String(16), nullable=True),  # "retention" | "purge"
    UniqueConstraint("fingerprint", name="uq_dead_letters_fingerprint"),
    Index("ix_dead_letters_message_id", "message_id"),
    Index("ix_dead_letters_queue", "queue"),
)
"""Dead letters drained from the dead-letter queues, kept for the ledger and ``ecm-gateway replay``."""

transport_exchanges = Table(
    "transport_exchanges",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("type", String(16), nullable=False),
)

transport_queues = Table(
    "transport_queues",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("dead_letter_queue", String(255), nullable=True),
    Column("delivery_limit", Integer, nullable=True),
    Column("max_length", Integer, nullable=True),
)

transport_bindings = Table(
    "transport_bindings",
    metadata,
    Column("exchange", String(255), primary_key=True),
    Column("queue", String(255), primary_key=True),
    Column("binding_key", String(255), primary_key=True),
)

transport_messages = Table(
    "transport_messages",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("queue", String(255), nullable=False),
    Column("message_id", String(128), nullable=False),
    Column("exchange", String(255), nullable=False),
    Column("routing_key", String(255), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("content_type", String(100), nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("published_at", Float, nullable=False),
    Column("available_at", Float, nullable=False),
    Column("delivery_count", Integer, nullable=False, default=0),
    Column("lease_token", String(32), nullable=True),
    Index("ix_transport_messages_queue_id", "queue", "id"),
)
"""The local transport's queues: one row per message per queue; a lease hides it until ``available_at``."""
