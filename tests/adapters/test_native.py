"""The compiled hot paths (:mod:`adapters._native`): the same answers as the source, and never out of date."""

from __future__ import annotations

import copy
import importlib
import importlib.machinery
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from adapters import _native
from adapters._native import (
    COMPILED,
    COMPILED_REASON,
    PURE_PYTHON_ENV,
    REQUIRE_ENV,
    SourceFirst,
    choose,
    source_digest,
    status,
)
from adapters.cin_census.synthetic import write_file

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get(REQUIRE_ENV) == "1"

DUMP = """
import sys
from pathlib import Path
from adapters._native import status
from adapters.cin_census.reader import CinCensusReader
from gateway import SourceFile
print(status())
for name in sys.argv[1:]:
    for limit in (1000, 0):
        print("==", Path(name).name, limit)
        for event in CinCensusReader(explain_limit=limit).read([SourceFile.from_path(Path(name))]):
            print(event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event))
"""


def _mutations(source: Path, out: Path, count: int, seed: int) -> Iterator[Path]:
    """Files whose children are broken in the ways the mapping must survive: elements moved to another
    part of the child, repeated, emptied, recoded, padded, dropped or renamed."""
    rng = random.Random(seed)
    for number in range(count):
        tree = etree.parse(str(source))
        children = tree.getroot().find("Children")
        assert children is not None
        elements = [element for child in children for element in child.iter() if element is not child]
        for _ in range(rng.randint(5, 30)):
            element = rng.choice(elements)
            parent = element.getparent()
            if parent is None:
                continue
            kind = rng.random()
            if kind < 0.2:
                child = next(ancestor for ancestor in element.iterancestors() if ancestor.tag == "Child")
                targets = [t for t in child.iter() if t is not element and element not in set(t.iterancestors())]
                parent.remove(element)
                rng.choice(targets).insert(0, element)
            elif kind < 0.35:
                element.addnext(copy.deepcopy(element))
            elif len(element) == 0 and kind < 0.5:
                element.text = rng.choice(["", " ", None, "\n  "])
            elif len(element) == 0 and kind < 0.7:
                element.text = rng.choice(["X9", "2025-13-01", "true", "-1", "1000", " 1 ", "2024-02-29", " N1 "])
            elif kind < 0.8:
                parent.remove(element)
            else:
                element.tag = rng.choice(["DateOfInitialCPC", "CPPstartDate", "Foo", "ReferralNFA", "Disability"])
        path = out / f"{source.stem}-mutated-{number}.xml"
        tree.write(str(path), xml_declaration=True, encoding="utf-8")
        yield path


def _dump(files: list[Path], *, pure: bool) -> tuple[str, str]:
    env = {key: value for key, value in os.environ.items() if key != PURE_PYTHON_ENV}
    if pure:
        env[PURE_PYTHON_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", DUMP, *map(str, files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    form, _, events = done.stdout.partition("\n")
    return form, events


def test_compiled_and_pure_python_readers_give_the_same_events_byte_for_byte(tmp_path: Path) -> None:
    if status() != COMPILED_REASON and not REQUIRED:
        pytest.skip(f"the mapping is not compiled here: {status()}")
    files: list[Path] = []
    for year, seed in ((2018, 1), (2022, 2), (2025, 3), (2026, 4)):
        source = tmp_path / f"census-{year}.xml"
        write_file(source, 120, year=year, seed=seed, errors=0.3)
        files.append(source)
        files.extend(_mutations(source, tmp_path, 3, seed))
    compiled_form, compiled = _dump(files, pure=False)
    pure_form, pure = _dump(files, pure=True)
    assert compiled_form == COMPILED_REASON
    assert pure_form == f"pure Python ({PURE_PYTHON_ENV} is set)"
    # the corpus exercises what the mapping does: records, schema issues and the mapping's own issues
    assert compiled.count('"lineage":[') >= 900
    assert '"rule":"xsd/' in compiled and '"rule":"map/' in compiled
    assert compiled == pure


def test_the_compiled_modules_are_in_use_where_the_test_command_requires_them() -> None:
    if not REQUIRED:
        pytest.skip(f"{REQUIRE_ENV} is not set (scripts/test sets it)")
    assert status() == COMPILED_REASON
    for package, modules in COMPILED.items():
        for module in modules:
            loaded = importlib.import_module(f"{package}.{module}")
            assert str(loaded.__file__).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), loaded.__file__


@pytest.mark.parametrize(
    ("built", "pure_asked", "built_from", "expected"),
    [
        (True, False, "abc", COMPILED_REASON),
        (True, False, "abd", "older than their source"),
        (True, False, None, "older than their source"),
        (True, True, "abc", f"{PURE_PYTHON_ENV} is set"),
        (False, False, None, "not compiled"),
        (False, True, None, "not compiled"),
    ],
)
def test_the_compiled_modules_run_only_when_built_from_the_current_source(
    built: bool, pure_asked: bool, built_from: str | None, expected: str
) -> None:
    reason = choose(built=built, pure_asked=pure_asked, built_from=built_from, digest="abc")
    assert expected in reason
    assert (reason == COMPILED_REASON) == (expected == COMPILED_REASON)


def test_the_digest_changes_with_any_byte_of_any_compiled_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: dict[tuple[str, str], Path] = {}
    for package, modules in COMPILED.items():
        for module in modules:
            path = copies[package, module] = tmp_path / f"{package}.{module}.py"
            path.write_bytes((ROOT.joinpath(*package.split("."), f"{module}.py")).read_bytes())
    real = source_digest()
    monkeypatch.setattr(_native, "_source", lambda package, module: copies[package, module])
    assert source_digest() == real
    last = copies[next(reversed(copies))]
    last.write_bytes(last.read_bytes() + b"\n")
    assert source_digest() != real


def test_the_source_is_loaded_instead_of_a_compiled_module_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "native_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "fast.py").write_text("FORM = 'source'\n")
    (package / f"fast{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"not a shared library")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("native_probe", "native_probe.fast"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError):  # without the finder the compiled file wins, and this one is broken
        importlib.import_module("native_probe.fast")
    monkeypatch.delitem(sys.modules, "native_probe.fast", raising=False)
    monkeypatch.setattr(sys, "meta_path", [SourceFirst(frozenset({"native_probe.fast"})), *sys.meta_path])
    assert importlib.import_module("native_probe.fast").FORM == "source"
