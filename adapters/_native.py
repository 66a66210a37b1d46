"""Compiled hot paths: the modules :data:`COMPILED` names also run compiled by mypyc, from the same source.

Why: mapping a CIN census child is pure Python logic, element by element (look-ups, lineage rows), and
it is most of the reader's own time. mypyc compiles those very modules — the typed source in this
repository, unchanged — to C extension modules, which run that logic about a fifth faster (``bench/``).
Nothing else changes: the same source is type-checked, tested and read; the compiled form is a build
product, like bytecode, and is not in git.

Kept honest three ways:

- ``python -m adapters._native build`` (``scripts/bootstrap`` runs it) compiles the modules in place
  and writes a manifest (:data:`MANIFEST`) with the digest of the sources it compiled.
- :func:`prefer_current` runs when a package with compiled modules is imported. If the compiled modules
  are not built from the source as it is now (an edit since the build, a build from another checkout),
  or ``ECM_PURE_PYTHON=1`` is set, the source modules are loaded instead: an out-of-date build never
  runs in place of the code beside it. The reason is logged once, and :func:`status` says which runs.
- A test compares the compiled and pure-Python readers' output on a corpus, byte for byte; the test
  command (``ECM_REQUIRE_NATIVE=1``) fails if the compiled modules are not in use.

Without a C compiler the build fails with a clear message and everything runs as pure Python, slower
but the same.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = [
    "COMPILED",
    "COMPILED_REASON",
    "MANIFEST",
    "PURE_PYTHON_ENV",
    "REQUIRE_ENV",
    "SourceFirst",
    "build",
    "choose",
    "prefer_current",
    "source_digest",
    "status",
]

logger = logging.getLogger(__name__)

COMPILED: Final[dict[str, tuple[str, ...]]] = {
    "adapters.cin_census": ("mapper", "episodes", "mapping"),
}
"""Package -> its modules that are compiled. Only modules that tests do not patch at run time: a
compiled module's functions and constants cannot be replaced from outside."""

ROOT: Final = Path(__file__).resolve().parents[1]
MANIFEST: Final = ROOT / "adapters" / "_native.json"
"""What the last build compiled, and the digest of the sources it compiled (written by :func:`build`)."""
PURE_PYTHON_ENV: Final = "ECM_PURE_PYTHON"
"""Set to ``1`` to run the source modules even where current compiled ones are built."""
REQUIRE_ENV: Final = "ECM_REQUIRE_NATIVE"
"""Set to ``1`` (the test command does) to make the tests fail when the compiled modules are not in use."""
GROUP: Final = "ecm_gateway_native"
"""mypyc's shared library for the compiled modules (``ecm_gateway_native__mypyc.*.so`` at the root)."""

_STATUS: dict[str, str] = {}


def _source(package: str, module: str) -> Path:
    return ROOT.joinpath(*package.split("."), f"{module}.py")


def source_digest() -> str:
    """SHA-256 over every compiled module's name and source bytes, in :data:`COMPILED` order."""
    digest = hashlib.sha256()
    for package, modules in COMPILED.items():
        for module in modules:
            digest.update(f"{package}.{module}\0".encode())
            digest.update(_source(package, module).read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _built(package: str, module: str) -> list[Path]:
    """The compiled files of one module beside its source (any Python's extension suffix)."""
    folder = _source(package, module).parent
    return [path for path in folder.glob(f"{module}.*") if path.name.endswith(tuple(_SUFFIXES))]


_SUFFIXES: Final = (*importlib.machinery.EXTENSION_SUFFIXES, ".so", ".pyd")


def _complete(package: str) -> bool:
    """Every compiled module of ``package`` is built, and the shared library they need: a part of a build
    without the rest is never run (the source runs instead)."""
    return all(_built(package, module) for module in COMPILED[package]) and any(ROOT.glob(f"{GROUP}__mypyc.*"))


def _manifest_digest() -> str | None:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = data.get("digest") if isinstance(data, dict) else None
    return digest if isinstance(digest, str) else None


class SourceFirst(MetaPathFinder):
    """Finds the named modules' ``.py`` source before the compiled module beside it would be found."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        leaf = fullname.rpartition(".")[2] + ".py"
        for folder in path or ():
            candidate = Path(folder) / leaf
            if candidate.is_file():
                return importlib.util.spec_from_file_location(fullname, candidate)
        return None


COMPILED_REASON: Final = "compiled (mypyc)"


def choose(*, built: bool, pure_asked: bool, built_from: str | None, digest: str) -> str:
    """Which form runs, and why: the compiled modules only when they exist, pure Python is not asked for,
    and the digest they were built from (``None``: unknown) is the digest of the source as it is now."""
    if not built:
        return "pure Python (not compiled: run `python -m adapters._native build` to compile)"
    if pure_asked:
        return f"pure Python ({PURE_PYTHON_ENV} is set)"
    if built_from != digest:
        return "pure Python (the compiled modules are older than their source: run scripts/bootstrap to rebuild)"
    return COMPILED_REASON


def prefer_current(package: str) -> str:
    """Decide, before any of ``package``'s compiled modules is imported, whether they run (:func:`choose`);
    when they do not, make the import system load their source instead. Returns (and remembers) the answer
    :func:`status` gives."""
    modules = COMPILED[package]
    built = _complete(package)
    reason = choose(
        built=built,
        pure_asked=os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"),
        built_from=_manifest_digest() if built else None,
        digest=source_digest() if built else "",
    )
    if any(_built(package, module) for module in modules) and reason != COMPILED_REASON:
        if "older" in reason:
            logger.warning("compiled modules of %s are out of date with their source; running the source", package)
        names = frozenset(f"{package}.{module}" for module in modules)
        loaded = sorted(name for name in names if name in sys.modules)
        if loaded:  # pragma: no cover - the package's __init__ calls this before importing them
            raise RuntimeError(f"{', '.join(loaded)} imported before prefer_current({package!r})")
        sys.meta_path.insert(0, SourceFirst(names))
    _STATUS[package] = reason
    return reason


def status(package: str = "adapters.cin_census") -> str:
    """Which form of ``package``'s compiled modules runs in this process, and why (for benches and
    ``ecm-gateway plugins``): ``compiled (mypyc)`` or ``pure Python (...)``."""
    if package not in _STATUS:
        importlib.import_module(package)
    found = _STATUS.get(package)
    if found is None:  # pragma: no cover - every package in COMPILED calls prefer_current on import
        raise RuntimeError(f"{package} does not call prefer_current")
    loaded = sys.modules.get(f"{package}.{COMPILED[package][0]}")
    compiled = loaded is not None and not str(getattr(loaded, "__file__", "")).endswith(".py")
    if (found == COMPILED_REASON) != compiled and loaded is not None:  # pragma: no cover - a finder of others
        return f"{'compiled' if compiled else 'pure Python'} (not as decided: another import hook loaded it)"
    return found


def _say(message: str) -> None:
    sys.stderr.write(f"[native] {message}\n")


def build() -> int:
    """Compile :data:`COMPILED` in place with mypyc and write :data:`MANIFEST`; 0 when done, 1 when not
    (the reason printed: no mypyc, no C compiler, a compile error). Run from anywhere."""
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 - a build tool, not needed to run the gateway

        setup = importlib.import_module("setuptools").setup
    except ImportError as exc:
        _say(f"cannot compile: {exc.name} is not installed (pip install mypy setuptools)")
        return 1
    if _manifest_digest() == source_digest() and all(_complete(package) for package in COMPILED):
        _say("the compiled modules are built from the current source (nothing to do)")
        return 0
    _say("compiling the CIN census mapping with mypyc (about half a minute)")
    MANIFEST.unlink(missing_ok=True)  # no manifest while the build is half done: the source runs meanwhile
    sources = [
        str(_source(package, module).relative_to(ROOT)) for package, modules in COMPILED.items() for module in modules
    ]
    digest = source_digest()
    previous = Path.cwd()
    os.chdir(ROOT)  # mypy reads the project's [tool.mypy]; the compiled modules land beside their source
    try:
        setup(
            name="ecm-gateway-native",
            packages=[],
            py_modules=[],
            ext_modules=mypycify([*sources, "--config-file", "pyproject.toml"], group_name=GROUP),
            script_args=["--quiet", "build_ext", "--inplace", "--build-temp", "build/native"],
        )
    except (SystemExit, Exception) as exc:  # setuptools exits on a compiler error
        _say(f"compiling failed ({exc}); the gateway runs as pure Python")
        return 1
    finally:
        os.chdir(previous)
    if source_digest() != digest:
        _say("the sources changed while compiling; run the build again")
        return 1
    MANIFEST.write_text(json.dumps({"digest": digest, "modules": sources, "python": sys.version}, indent=2) + "\n")
    _say(f"compiled {len(sources)} modules with mypyc")
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m adapters._native build
    if sys.argv[1:] != ["build"]:
        sys.stderr.write("usage: python -m adapters._native build\n")
        raise SystemExit(2)
    raise SystemExit(build())
