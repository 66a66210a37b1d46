"""The gateway's exception tree.

Bad *data* is never an exception: it becomes an :class:`gateway.Issue` that travels with the message.
Exceptions are for system failures only, and every one the gateway raises derives from one root::

    GatewayError
    ├── ConfigurationError      settings or a profile/mapping file cannot be used
    ├── PluginError             a plugin failed to load or is not allow-listed (names its distribution)
    ├── InvalidCredentials      authentication failed (gateway.security; answered as a generic 401)
    ├── StorageError            the database failed (wraps SQLAlchemy/driver errors)
    └── TransportError          the broker or local transport failed (wraps pika errors)
        └── PublishNotConfirmed a publish was nacked, returned as unroutable, or its outcome is unknown

Third-party exceptions are wrapped at the adapter edge with ``raise ... from exc`` so that callers
only ever need to catch :class:`GatewayError`. Messages never contain personal data.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "GatewayError",
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


class TransportError(GatewayError):
    """The message transport (RabbitMQ or the local transport) failed."""


class PublishNotConfirmed(TransportError):
    """A publish was nacked by the broker, returned as unroutable, or its outcome is unknown."""
