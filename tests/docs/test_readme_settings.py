"""The README's settings table names every setting the gateway reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from gateway.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _documented() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(ECM_[A-Z0-9_]+)`", section, flags=re.MULTILINE))


def test_every_setting_is_in_the_readme_table() -> None:
    expected = {f"ECM_{name.upper()}" for name in Settings.model_fields}
    documented = _documented()
    assert sorted(expected - documented) == [], "settings missing from README's table"
    assert sorted(documented - expected) == [], "README documents settings the gateway does not read"
