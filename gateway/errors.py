"""The gateway's exception tree.

Bad *data* is never an exception: it becomes an :class:`gateway.Issue` that travels with the message.
Exceptions are for system failures only, and every one the gateway raises derives from one root::

    GatewayError
    ├── ConfigurationError      settings or a profile/mapping file cannot be used
    ├── PluginError             a plugin failed to load or is not allow-listed (names its distribution)
    ├── InvalidCredentials      authentication failed (gateway.security; answered as a generic 401)
    ├── StorageError            the database failed (wraps SQLAlchemy/driver errors)
    ├── PayloadRemoved          a message's payload was removed (retention or purge): it cannot be replayed
    └── TransportError          the broker or local transport failed (wraps pika errors)
        └── PublishNotConfirmed a publish was nacked, returned as unroutable, or its outcome is unknown

Third-party exceptions are wrapped at the adapter edge with ``raise ... from exc`` so that callers
only ever need to catch :class:`GatewayError`. Messages never contain personal data.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "ConfigurationError",
    "GatewayError",
    "PayloadRemoved",
    "PluginError",
    "PublishNotConfirmed",
    "StorageError",
    "TransportError",
]


class GatewayError(Exception):
    """Root of every exception the gateway raises on purpose."""


class ConfigurationError(GatewayError):
    """Settings, a profile or a mapping file cannot be used as given."""


class PluginError(GatewayError):
    """A plugin failed to load, or is not on the allow-list."""

    def __init__(self, message: str, *, distribution: str | None = None) -> None:
        self.distribution = distribution
        prefix = f"plugin from distribution {distribution!r}: " if distribution else ""
        super().__init__(prefix + message)


class StorageError(GatewayError):
    """The database failed; the original driver error is the ``__cause__``."""


class PayloadRemoved(GatewayError):
    """A stored message's payload is gone (the retention policy or a purge removed it): only its tombstone
    (ids, outcome, hashes) is left, so it cannot be processed again. Ask the supplier to send it again."""

    def __init__(self, message_id: str, reason: str | None, removed_at: datetime | None) -> None:
        self.message_id = message_id
        self.reason = reason
        self.removed_at = removed_at
        when = f" on {removed_at:%Y-%m-%d}" if removed_at is not None else ""
        why = {"purge": "a supplier purged a child it holds", "retention": "its retention period ran out"}.get(
            reason or "", "it was removed"
        )
        super().__init__(
            f"message {message_id}: payload removed{when} ({why}); only its record is kept, so it cannot be "
            "replayed — ask the supplier to send it again"
        )


class TransportError(GatewayError):
    """The message transport (RabbitMQ or the local transport) failed."""


class PublishNotConfirmed(TransportError):
    """A publish was nacked by the broker, returned as unroutable, or its outcome is unknown."""
