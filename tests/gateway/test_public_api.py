"""Module discipline: the public API is complete and sorted, and importing gateway stays light."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import gateway
import gateway.model

ROOT = Path(__file__).resolve().parents[2]


def _isort_key(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions, each alphabetical.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_gateway_all_is_sorted_and_unique() -> None:
    assert len(set(gateway.__all__)) == len(gateway.__all__)
    assert list(gateway.__all__) == sorted(gateway.__all__, key=_isort_key)


def test_gateway_all_names_exist() -> None:
    for name in gateway.__all__:
        assert hasattr(gateway, name), name


def test_every_public_model_class_is_exported_from_gateway() -> None:
    model_exports = set(gateway.model.__all__)
    assert model_exports <= set(gateway.__all__)
    # Every public class defined in any gateway.model module (found, not listed: a new module is checked too).
    module_names = [info.name for info in pkgutil.iter_modules(gateway.model.__path__) if not info.name.startswith("_")]
    assert {"person", "case", "caf", "looked_after"} <= set(module_names)
    for module_name in module_names:
        module = importlib.import_module(f"gateway.model.{module_name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ and not name.startswith("_"):
                assert name in model_exports, f"{module.__name__}.{name} is not exported"


def _python_modules(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("package", ["gateway", "adapters", "conformance"])
def test_every_module_declares_all(package: str) -> None:
    missing = []
    for path in _python_modules(package):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        if tree.body and "__all__" not in names:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without __all__: {missing}"


def test_gateway_does_not_import_adapters_or_conformance() -> None:
    offenders = []
    for path in _python_modules("gateway"):
        if "cli" in path.parts:
            continue  # the CLI is a composition root
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] in {"adapters", "conformance"}
            ):
                offenders.append(str(path.relative_to(ROOT)))
            if isinstance(node, ast.Import):
                offenders.extend(
                    str(path.relative_to(ROOT))
                    for alias in node.names
                    if alias.name.split(".")[0] in {"adapters", "conformance"}
                )
    assert not offenders


def test_import_gateway_pulls_in_neither_fastapi_nor_pika() -> None:
    code = (
        "import sys, gateway\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'pika', 'starlette', 'sqlalchemy', 'adapters', 'conformance', 'typer', 'lxml'})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == ""
