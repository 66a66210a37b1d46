"""Structured logging: one JSON object per line with the context keys the gateway uses.

Only allow-listed context keys are emitted (``message_id``, ``supplier``, ``la_code``, ``rule_id`` ...),
so a value passed by mistake in ``extra=`` (a name, a birth date) never reaches the log. Log messages
themselves are constant strings with ``%s`` placeholders for counts and outcomes, never personal data.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

import orjson

__all__ = ["CONTEXT_KEYS", "JsonFormatter", "configure_logging"]

CONTEXT_KEYS: Final = frozenset(
    {
        "message_id",
        "correlation_id",
        "supplier",
        "la_code",
        "format",
        "rule_id",
        "records",
        "errors",
        "warnings",
        "outcome",
        "queue",
        "attempt",
        "duration_ms",
        "profile",
        "reason",  # fixed texts only (why a credential was refused, why a profile applies), never data
        "error",  # an exception's type name, never its message
    }
)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message and allow-listed context keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: exception messages from drivers can contain submitted values.
            entry["exception"] = record.exc_info[0].__name__
        return orjson.dumps(entry, default=str).decode("utf-8")


def configure_logging(level: str = "INFO") -> None:
    """Send the gateway's logs to stderr as JSON lines (called by composition roots, never at import)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
