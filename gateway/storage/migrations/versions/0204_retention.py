"""Message-store retention: payload tombstones, the message -> children index used by purges, and
dead letters whose body was removed; purge tombstones for messages never processed (``message_purges``) and
for the CAF store (``caf_purges``, ``caf_assessments.child_version``).

Revision ID: 0204
Revises: 0103
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0204"
down_revision = "0103"
branch_labels = None
depends_on = None

_MAX_KEY = 128


def _keys(record: dict[str, Any]) -> set[str]:
    # The same keys as gateway.storage.messages.child_keys (kept here so the migration never changes).
    child = record.get("child") or {}
    keys: set[str] = set()
    child_id = child.get("child_id")
    if isinstance(child_id, str) and child_id:
        keys.add(child_id if len(child_id) <= _MAX_KEY else "sha256:" + hashlib.sha256(child_id.encode()).hexdigest())
    for local in child.get("local_ids") or ():
        basis = f"{local.get('la_code', '')}\x00{local.get('la_child_id', '')}"
        keys.add("lc-" + hashlib.sha256(basis.encode()).hexdigest()[:32])
    return keys


def upgrade() -> None:
    for table in ("messages", "dead_letters"):
        op.add_column(table, sa.Column("payload_removed_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("payload_removed_reason", sa.String(16), nullable=True))
    op.create_table(
        "message_children",
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("child_key", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "child_key", name="pk_message_children"),
    )
    op.create_index("ix_message_children_child_key", "message_children", ["child_key"])
    op.create_table(
        "message_purges",
        sa.Column("child_key", sa.String(128), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("child_key", name="pk_message_purges"),
    )
    op.add_column("caf_assessments", sa.Column("child_version", sa.BigInteger(), nullable=True))
    op.create_table(
        "caf_purges",
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("la_code", sa.String(3), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("child_id", "la_code", name="pk_caf_purges"),
    )
    # Index the messages already stored, so a purge finds them too.
    bind = op.get_bind()
    messages = sa.table("messages", sa.column("message_id", sa.String), sa.column("canonical", sa.JSON))
    children = sa.table("message_children", sa.column("message_id", sa.String), sa.column("child_key", sa.String))
    rows = bind.execute(sa.select(messages.c.message_id, messages.c.canonical).where(messages.c.canonical.is_not(None)))
    batch: list[dict[str, str]] = []
    for message_id, canonical in rows.all():
        keys: set[str] = set()
        for record in (canonical or {}).get("records") or ():
            keys |= _keys(record)
        batch.extend({"message_id": message_id, "child_key": key} for key in sorted(keys))
        if len(batch) >= 5000:
            bind.execute(sa.insert(children), batch)
            batch = []
    if batch:
        bind.execute(sa.insert(children), batch)


def downgrade() -> None:
    op.drop_table("caf_purges")
    with op.batch_alter_table("caf_assessments") as batch:
        batch.drop_column("child_version")
    op.drop_table("message_purges")
    op.drop_index("ix_message_children_child_key", table_name="message_children")
    op.drop_table("message_children")
    for table in ("dead_letters", "messages"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("payload_removed_reason")
            batch.drop_column("payload_removed_at")
