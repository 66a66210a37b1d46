"""Plugin loading: built-ins always, third parties only when allow-listed, failures name the distribution."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from gateway.errors import PluginError
from gateway.plugins import BUILTIN_DISTRIBUTION, Plugin, load_registry


@dataclass
class _FakeEntryPoint:
    """Just enough of importlib.metadata.EntryPoint for the loader."""

    name: str
    target: object
    distribution: str

    @property
    def dist(self) -> SimpleNamespace:
        return SimpleNamespace(name=self.distribution)

    def load(self) -> object:
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


class _Reader:
    def __init__(self, format_id: str) -> None:
        self.format_id = format_id
        self.description = format_id

    def sniff(self, name: str, head: bytes) -> bool:
        return name.endswith(self.format_id)

    def read(self, files: object) -> object:
        return iter(())


def _load(*eps: _FakeEntryPoint, allow: tuple[str, ...] = ()) -> object:
    return load_registry(allow, entry_points_=eps)  # type: ignore[arg-type]


def test_builtins_load_and_unlisted_third_parties_do_not() -> None:
    builtin = _FakeEntryPoint("a", Plugin(name="a", readers=(_Reader("fmt-a"),)), BUILTIN_DISTRIBUTION)
    third = _FakeEntryPoint("b", Plugin(name="b", readers=(_Reader("fmt-b"),)), "acme-plugin")
    registry = _load(builtin, third)
    assert sorted(registry.readers) == ["fmt-a"]  # type: ignore[attr-defined]
    registry = _load(builtin, third, allow=("Acme-Plugin",))
    assert sorted(registry.readers) == ["fmt-a", "fmt-b"]  # type: ignore[attr-defined]
    assert [p.builtin for p in registry.plugins] == [True, False]  # type: ignore[attr-defined]


def test_failing_plugin_names_its_distribution() -> None:
    broken = _FakeEntryPoint("b", ImportError("no module named acme_lib"), "acme-plugin")
    with pytest.raises(PluginError, match="acme-plugin") as raised:
        _load(broken, allow=("acme-plugin",))
    assert raised.value.distribution == "acme-plugin"


def test_entry_point_that_is_not_a_plugin_is_refused() -> None:
    wrong = _FakeEntryPoint("b", object(), "acme-plugin")
    with pytest.raises(PluginError, match=r"expected gateway\.Plugin"):
        _load(wrong, allow=("acme-plugin",))


def test_detect_picks_the_reader_that_sniffs() -> None:
    registry = load_registry(entry_points_=[], extra=[Plugin(name="x", readers=(_Reader(".x"), _Reader(".y")))])
    found = registry.detect("file.y", b"")
    assert found is not None and found.format_id == ".y"
    assert registry.detect("file.z", b"") is None


def test_installed_builtins_are_registered_through_entry_points() -> None:
    registry = load_registry()
    assert "canonical-jsonl" in registry.readers
    assert all(p.distribution == BUILTIN_DISTRIBUTION for p in registry.plugins)
