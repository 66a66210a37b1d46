"""Engines and migrations. The same code runs on SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StorageError

__all__ = ["Database", "EncodedJson", "open_database"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class EncodedJson(str):
    """JSON text that is already encoded (by pydantic's ``model_dump_json``): a JSON column stores it as is.

    Encoding a canonical message straight to JSON is about three times faster than dumping it to Python
    objects and encoding those.
    """

    __slots__ = ()


def _json_dumps(value: object) -> str:
    """JSON columns through orjson (several times faster than the standard library on canonical messages)."""
    if isinstance(value, EncodedJson):
        return str(value)
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a committed message survives power loss
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # purged or expired content is overwritten, not left in free pages
    cursor.close()


@dataclass(frozen=True)
class Database:
    """An engine plus the URL it was made from (passwords are never printed)."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        """The URL with any password masked, for logs and ``--help`` output."""
        return make_url(self.url).render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (safe to call on every start)."""
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        config.attributes["engine"] = self.engine
        try:
            command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"database migration failed on {self.display_url()}") from exc

    def table_names(self) -> list[str]:
        """Tables that exist (for diagnostics and tests)."""
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Create an engine for ``url`` (creating the SQLite folder if needed) and, by default, migrate it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, json_serializer=_json_dumps, json_deserializer=orjson.loads)
    database = Database(engine=engine, url=url)
    if migrate:
        database.migrate()
    return database
