"""The supplier guide's AMQP table names exactly the headers the inbound consumer reads, with their rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gateway.routing.inbound import InboundProcessor
from gateway.transport import Delivery
from tests.docs.guide_code import DOCS

GUIDE = DOCS / "suppliers" / "README.md"
INBOUND = Path(__file__).resolve().parents[2] / "gateway" / "routing" / "inbound.py"


def _amqp_table() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("## Sending over AMQP") : text.index("## What you get back")]


def _delivery(**headers: Any) -> Delivery:
    return Delivery(
        queue="ecm.inbound",
        message_id=headers.pop("message_id", "m-1"),
        exchange="ecm.inbound",
        routing_key="",
        body=b"<x/>",
        headers=headers,
        content_type=None,
        attempt=1,
        tag=None,
    )


def test_the_documented_headers_are_the_ones_read() -> None:
    documented = set(re.findall(r"`([a-z-]+)` header", _amqp_table()))
    read = set(re.findall(r'_text\(delivery, "([a-z-]+)"\)', INBOUND.read_text(encoding="utf-8")))
    assert documented == read - {"x-amqp-user-id"}  # the broker's own header for the user_id property
    assert "`message_id` property" in _amqp_table()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"la-code": "201"}, "missing header: supplier"),
        ({"supplier": "acme"}, "la-code"),
        ({"supplier": "acme", "la-code": "20"}, "la-code"),
        ({"supplier": "acme", "la-code": "201", "message_id": ""}, "message_id"),
    ],
)
def test_a_message_without_a_required_header_is_dead_lettered_with_the_reason(
    headers: dict[str, Any], reason: str
) -> None:
    verdict = InboundProcessor(intake=None).process([_delivery(**headers)])[0]  # type: ignore[arg-type]
    assert verdict.action == "dead"
    assert reason in verdict.reason
