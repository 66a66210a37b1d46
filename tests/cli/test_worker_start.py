"""A worker waiting for an unreachable broker at start-up stops cleanly on Ctrl-C or SIGTERM (exit 0)."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app

runner = CliRunner()


@pytest.mark.parametrize("command", [["worker"], ["relay"], ["consume", "directory"]])
def test_ctrl_c_while_waiting_for_the_broker_exits_0(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ECM_DATABASE_URL", raising=False)
    interrupt = threading.Timer(1.5, os.kill, args=(os.getpid(), signal.SIGINT))
    interrupt.start()
    try:
        result = runner.invoke(app, command, env={"ECM_BROKER_URL": "amqp://gw:gw@127.0.0.1:1/ecm", "COLUMNS": "200"})
    finally:
        interrupt.cancel()
    assert result.exit_code == 0, (result.exception, result.output)
    assert "stopped before the broker answered; nothing was in hand" in result.output
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back
