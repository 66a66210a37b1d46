"""Alembic environment: runs against the engine the gateway passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from gateway.storage.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
