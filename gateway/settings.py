"""Runtime settings, read from the environment (prefix ``ECM_``) or a ``.env`` file.

Nothing is read at import time: call :func:`load_settings` where a composition root (CLI, app factory)
needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "Subscription", "load_settings"]

DEFAULT_DATA_DIR = Path("var")


class Subscription(BaseModel):
    """A receiving supplier: accepted messages for its LAs are delivered to it in its own format."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    supplier: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    format: str = Field(min_length=1, max_length=64)
    """Format id of a writer in the plugin registry, e.g. ``canonical-jsonl`` or ``cin-census-xml``."""
    la_codes: tuple[str, ...] = ()
    """LA numbers whose messages it receives; empty means every LA."""


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
    broker_prefix: str = Field(
        default="ecm",
        pattern=r"^[a-z][a-z0-9_-]{0,30}$",
        description="Prefix of every exchange and queue name (ecm.events, ecm.directory ...).",
    )
    broker_prefetch: int = Field(default=500, ge=1, le=65535, description="Unacknowledged deliveries per consumer.")
    consumer_batch_size: int = Field(
        default=200, ge=1, le=10000, description="Events a consumer applies (and acknowledges) per transaction."
    )
    relay_batch_size: int = Field(
        default=1000, ge=1, le=10000, description="Outbox rows the relay publishes per confirm window."
    )
    relay_poll_interval: float = Field(default=0.2, gt=0, le=60, description="Seconds the idle relay waits.")
    publish_confirm_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to wait for publisher confirms before an outcome is unknown."
    )
    delivery_limit: int = Field(
        default=5, ge=1, le=1000, description="Give-backs or failed attempts before a message is dead-lettered."
    )
    retry_delays: tuple[float, ...] = Field(
        default=(1.0, 10.0, 60.0), description="Back-off delays in seconds between attempts (a JSON list)."
    )
    queue_max_length: int | None = Field(
        default=None, ge=1, description="Bound on ready messages per queue; beyond it publishes are refused."
    )
    local_visibility_timeout: float = Field(
        default=60.0, gt=0, description="Local transport: seconds before an unacknowledged delivery is redelivered."
    )
    subscriptions: tuple[Subscription, ...] = Field(
        default=(),
        description=(
            "Receiving suppliers as a JSON list, e.g. "
            '[{"supplier": "acme-cms", "format": "canonical-jsonl", "la_codes": ["201"]}].'
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    plugin_allowlist: tuple[str, ...] = Field(
        default=(),
        description="Distributions whose third-party ecm_gateway plugins may load (built-ins always load).",
    )
    profile: str = Field(
        default="ics-1c",
        min_length=1,
        description=(
            "Conformance profile submissions are checked against: a built-in profile id (ecm-gateway rules "
            "lists the packs) or the path of a profile YAML file; 'none' checks nothing. CIN census returns are "
            "checked against the DfE pack of their census year and SSDA903 returns against ics-1b instead."
        ),
    )
    audit_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description=(
            "Secret that signs the audit chain (HMAC-SHA256), kept outside the database (a secrets manager): "
            "with it, someone able to rewrite the audit table cannot recompute a chain that verifies. Never "
            "printed. At least 32 characters, e.g. the output of `openssl rand -hex 32`."
        ),
    )

    audit_previous_keys: tuple[SecretStr, ...] = Field(
        default=(),
        description=(
            "Keys that signed older audit entries, kept after a key rotation so `ecm-gateway audit verify` "
            'still checks them (JSON list, e.g. ["old key"]). New entries are signed with ECM_AUDIT_KEY only.'
        ),
    )
    audit_unkeyed_through: int = Field(
        default=0,
        ge=0,
        description=(
            "Last audit entry written before ECM_AUDIT_KEY was first set (`ecm-gateway audit checkpoint` "
            "printed it at the switch): entries up to it are verified as plain SHA-256. 0: none."
        ),
    )

    def audit_key_bytes(self) -> bytes | None:
        """The audit signing key as bytes, or None when the audit chain is hashed but not signed."""
        return None if self.audit_key is None else self.audit_key.get_secret_value().encode("utf-8")

    def audit_previous_key_bytes(self) -> tuple[bytes, ...]:
        """The retired audit keys, as bytes, for verifying older entries."""
        return tuple(key.get_secret_value().encode("utf-8") for key in self.audit_previous_keys)

    retention_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description=(
            "Days a delivered message's payload (raw files, canonical form, sent outbox copies) is kept for "
            "replay; then `ecm-gateway retention run` removes it and keeps a tombstone (ids, outcome, hashes)."
        ),
    )
    rejected_retention_days: int = Field(
        default=90,
        ge=0,
        le=3650,
        description=("Days the payload of a message awaiting replay (rejected, or with dead-lettered events) is kept."),
    )
    archive_retention_days: int = Field(
        default=2190,
        ge=0,
        le=36500,
        description="Days an archived directory entry is kept before `ecm-gateway retention run` deletes it.",
    )
    public_url: str = Field(
        default="http://localhost:8000",
        min_length=1,
        description=(
            "The gateway's public base URL, as suppliers reach it: the audience (aud) their signed-JWT "
            "client assertions must name, and the base of status URLs."
        ),
    )
    http_max_body_bytes: int = Field(
        default=20_000_000, ge=1024, description="Largest body POST /v1/messages accepts (413 beyond, chunked too)."
    )
    http_max_json_bytes: int = Field(
        default=65_536, ge=1024, description="Largest body every other route accepts (searches, withdrawals)."
    )
    http_max_records: int = Field(
        default=10_000, ge=1, description="Child records one submission may hold (413 beyond: split the file)."
    )
    http_async_threshold_bytes: int = Field(
        default=2_000_000,
        ge=0,
        description="Submissions larger than this are answered 202 and processed in the background (as if async).",
    )
    http_async_workers: int = Field(
        default=2, ge=1, le=64, description="Background threads processing asynchronous submissions per process."
    )
    http_parse_timeout: float = Field(
        default=30.0, gt=0, le=3600, description="Seconds reading and mapping one submission may take."
    )
    http_rate_limit: float = Field(
        default=600.0, gt=0, description="Requests per minute per authenticated client (per process), 429 beyond."
    )
    http_rate_burst: int = Field(default=60, ge=1, description="Requests a client may send at once before pacing.")
    http_resume_after: float = Field(
        default=600.0,
        ge=60,
        le=86_400,
        description=(
            "Seconds an asynchronous submission may stand still (queued or processing) before another worker "
            "takes it up, as one a stopped process left; longer than the slowest submission takes."
        ),
    )
    http_resume_interval: float = Field(
        default=300.0, ge=5, le=86_400, description="Seconds between each worker's sweeps for such submissions."
    )
    http_resume_attempts: int = Field(
        default=3, ge=1, le=100, description="Resumptions before a submission is settled failed (then replay it)."
    )

    @field_validator("broker_url")
    @classmethod
    def _amqp_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("ECM_BROKER_URL must be an amqp:// or amqps:// URL (or unset for the local transport)")
        return value

    @field_validator("retry_delays")
    @classmethod
    def _positive_delays(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(delay <= 0 for delay in value):
            raise ValueError("ECM_RETRY_DELAYS must be a non-empty JSON list of positive seconds, e.g. [1, 10, 60]")
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
