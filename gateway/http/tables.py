"""Tables for HTTP submissions (revision ``0402``): which client sent each message, and its status history.

The message store keeps the payload, envelope and outcome; these rows add what only the HTTP edge knows:
the authenticated client (so only it, or an operator, may read the status) and each state the submission
went through (``queued`` for asynchronous ones, ``processing``, then ``accepted``, ``rejected``, ``refused``
or ``failed``; the history also shows ``resumed`` where a process took up a submission a stopped one left
open, :mod:`gateway.http.resumption`). ``detail`` holds value-free text only (rule ids, locations, counts).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, String, Table

from gateway.storage.tables import metadata

__all__ = ["submission_states", "submissions"]

_Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY

submissions = Table(
    "http_submissions",
    metadata,
    Column("message_id", String(128), primary_key=True),
    Column("client_id", String(64), nullable=False),
    Column("asynchronous", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("detail", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_http_submissions_client_id", "client_id", "created_at"),
)
"""One row per message submitted over HTTP: who sent it and its current state."""

submission_states = Table(
    "http_submission_states",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("message_id", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_http_submission_states_message_id", "message_id", "id"),
)
"""Every state an HTTP submission went through, in order (the status history GET /v1/messages/{id} shows)."""
