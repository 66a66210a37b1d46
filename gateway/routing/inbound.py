"""AMQP intake: suppliers publish raw messages to ``<prefix>.inbound``; this runs each through Intake.

A supplier publishes the file's bytes as the body with these headers (``docs/suppliers`` describes them):

``supplier``   the supplier system id (required; must equal the AMQP ``user_id`` when the broker sets it)
``la-code``    the DfE three-digit LA number (required)
``format``     the format id (optional: detected from the content otherwise)
``file-name``  the file's name (optional, default ``message``)

and the AMQP ``message_id`` property as its message id (or a ``message-id`` header). Each message is
received, processed and routed by :meth:`gateway.intake.Intake.submit` — its receipt and then its outcome
with outgoing events are committed — before the delivery is acknowledged. A redelivery of the same message
id returns the stored outcome and sends nothing twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from gateway.errors import StorageError
from gateway.intake import Intake
from gateway.routing.consumer import ACK, Outage, Verdict, failure_reason
from gateway.transport import Delivery

__all__ = ["InboundProcessor"]

log = logging.getLogger(__name__)

_LA = re.compile(r"^[0-9]{3}$")
_NAME = re.compile(r"^[^/\\\x00]{1,255}$")


def _text(delivery: Delivery, name: str) -> str | None:
    value = delivery.headers.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) and value.strip() else None


class InboundProcessor:
    """Submits each raw supplier message to :class:`Intake` (one at a time: each commits on its own)."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def process(self, deliveries: Sequence[Delivery]) -> list[Verdict]:
        return [self._one(delivery) for delivery in deliveries]

    def _one(self, delivery: Delivery) -> Verdict:
        supplier = _text(delivery, "supplier")
        la_code = _text(delivery, "la-code")
        message_id = delivery.message_id or _text(delivery, "message-id")
        if supplier is None:
            return Verdict("dead", "missing header: supplier")
        if la_code is None or not _LA.match(la_code):
            return Verdict("dead", "missing or invalid header: la-code (three digits)")
        user_id = _text(delivery, "x-amqp-user-id")
        if user_id is not None and user_id != supplier:
            return Verdict("dead", "header supplier does not match the authenticated AMQP user")
        if not message_id or len(message_id) > 128:
            return Verdict("dead", "missing or too long: message_id property (at most 128 characters)")
        name = _text(delivery, "file-name") or "message"
        if not _NAME.match(name):
            return Verdict("dead", "invalid header: file-name")
        try:
            self.intake.submit(
                [(name, delivery.body)],
                supplier_id=supplier,
                la_code=la_code,
                format_id=_text(delivery, "format"),
                message_id=message_id,
            )
        except StorageError as exc:
            if "different payload" in str(exc):
                return Verdict("dead", "message id reused with a different payload")
            raise Outage("the gateway database is unavailable") from exc
        except Exception as exc:
            log.exception("intake failed", extra={"message_id": message_id, "supplier": supplier})
            return Verdict("retry", failure_reason(exc))
        return ACK
