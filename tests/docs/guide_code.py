"""Running a guide's one Python example as a module, so that the guide is tested exactly as printed."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

__all__ = ["DOCS", "guide_module"]

DOCS = Path(__file__).resolve().parents[2] / "docs"


def guide_module(guide: Path, name: str) -> ModuleType:
    """The guide's single ```python block, executed as the module ``name``."""
    blocks = re.findall(r"```python\n(.*?)```", guide.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1, f"{guide} should have exactly one Python example"
    module = ModuleType(name)
    exec(compile(blocks[0], str(guide), "exec"), module.__dict__)  # noqa: S102 - our own documentation
    return module
