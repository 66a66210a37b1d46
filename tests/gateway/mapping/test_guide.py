"""The mapping-files guide's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "integrators" / "mapping-files.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_guide_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = next(block for block in blocks("yaml") if block.startswith("id: acme/children"))
    (tmp_path / "acme-mappings" / "acme").mkdir(parents=True)
    (tmp_path / "acme-mappings" / "acme" / "children.yaml").write_text(mapping, encoding="utf-8")
    example = next(block for block in blocks("python") if "RecordBuilder" in block)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, str(GUIDE), "exec"), {})  # noqa: S102 - our own documentation's example
