"""Runtime settings, read from the environment (prefix ``ECM_``) or a ``.env`` file.

Nothing is read at import time: call :func:`load_settings` where a composition root (CLI, app factory)
needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "load_settings"]

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Every setting the gateway reads. Environment variable = ``ECM_`` + upper-cased field name."""

    model_config = SettingsConfigDict(
        env_prefix="ECM_", env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR, description="Folder for the embedded SQLite database and local files."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Unset: a SQLite file under data_dir. Production: postgresql+psycopg://...",
    )
    broker_url: str | None = Field(
        default=None,
        description="amqp:// URL of RabbitMQ. Unset: the embedded local durable transport in the database.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    plugin_allowlist: tuple[str, ...] = Field(
        default=(),
        description="Distributions whose third-party ecm_gateway plugins may load (built-ins always load).",
    )

    @field_validator("broker_url")
    @classmethod
    def _amqp_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("ECM_BROKER_URL must be an amqp:// or amqps:// URL (or unset for the local transport)")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL to use: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ecm-gateway.sqlite3').as_posix()}"

    @property
    def transport_kind(self) -> Literal["rabbitmq", "local"]:
        """Which transport the settings select."""
        return "rabbitmq" if self.broker_url else "local"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (used by the CLI and tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
