"""What the XML readers' layout tests share: a reader's output read data only and read as sent."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

__all__ = ["assert_data_only_reads_as_sent"]


def assert_data_only_reads_as_sent(
    module: ModuleType, dump: Callable[[bytes], object], data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dump(data)`` (the reader's output) is the same with ``module.DATA_ONLY`` on and off."""
    data_only = dump(data)
    monkeypatch.setattr(module, "DATA_ONLY", False)
    as_sent = dump(data)
    monkeypatch.setattr(module, "DATA_ONLY", True)
    assert data_only == as_sent
