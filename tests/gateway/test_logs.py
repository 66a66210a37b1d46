"""Structured logs carry only allow-listed context keys and never exception messages."""

from __future__ import annotations

import logging
import sys

import orjson

from gateway.logs import JsonFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord("gateway.test", logging.INFO, __file__, 1, "message %s", ("accepted",), None)
    record.__dict__.update(extra)
    return record


def test_only_context_keys_are_emitted() -> None:
    line = JsonFormatter().format(
        _record(message_id="m-1", la_code="201", given_name="Secret", birth_date="2015-01-01")
    )
    entry = orjson.loads(line)
    assert entry["message"] == "message accepted"
    assert entry["message_id"] == "m-1"
    assert entry["la_code"] == "201"
    assert "Secret" not in line
    assert "2015-01-01" not in line


def test_exception_message_is_not_logged() -> None:
    try:
        raise ValueError("value 9434765919 rejected")
    except ValueError:
        record = logging.LogRecord("gateway.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert orjson.loads(line)["exception"] == "ValueError"
    assert "9434765919" not in line
