"""The uvicorn factory configures the gateway's JSON logs at ECM_LOG_LEVEL in every worker process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.http.app import create_app
from gateway.logs import JsonFormatter


@pytest.fixture
def restored_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.usefixtures("restored_root_logger")
def test_the_factory_applies_ecm_log_level(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ECM_LOG_LEVEL", "DEBUG")
    create_app()  # builds nothing yet: the lifespan opens the database
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    assert any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers)
    monkeypatch.setenv("ECM_LOG_LEVEL", "ERROR")
    create_app()
    assert logging.getLogger().level == logging.ERROR
