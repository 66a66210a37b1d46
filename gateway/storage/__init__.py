"""Storage: SQLAlchemy 2 tables, engines and Alembic migrations (SQLite embedded, PostgreSQL production)."""

from gateway.storage.database import Database, open_database
from gateway.storage.messages import MessageStore, StoredMessage
from gateway.storage.tables import metadata

__all__ = ["Database", "MessageStore", "StoredMessage", "metadata", "open_database"]
