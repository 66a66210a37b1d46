"""The gateway's tables (SQLAlchemy Core). Schema changes go through an Alembic revision, never create_all."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

__all__ = ["message_files", "messages", "metadata"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

messages = Table(
    "messages",
    metadata,
    Column("message_id", String(128), primary_key=True),
    Column("correlation_id", String(128), nullable=True),
    Column("supplier_id", String(128), nullable=False),
    Column("la_code", String(3), nullable=False),
    Column("format_id", String(64), nullable=True),
    Column("format_version", String(32), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("record_count", Integer, nullable=False, default=0),
    Column("error_count", Integer, nullable=False, default=0),
    Column("warning_count", Integer, nullable=False, default=0),
    Column("issues", JSON, nullable=False),
    Column("canonical", JSON, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "supplier_id", "received_at"),
    Index(None, "status"),
)
"""Every received message: its raw payload (always kept, so it can be replayed), envelope and outcome."""

message_files = Table(
    "message_files",
    metadata,
    Column("message_id", String(128), ForeignKey("messages.message_id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)
"""The raw files of each message, byte for byte as received (a submission may be several files)."""
