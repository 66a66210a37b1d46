"""Plugin discovery: built-in and third-party adapters, mappings and rule packs, through one mechanism.

A plugin is one object exposed under the ``ecm_gateway`` entry-point group::

    [project.entry-points."ecm_gateway"]
    acme-csv = "acme_gateway_plugin:plugin"

where ``plugin`` is a :class:`Plugin`. The gateway's own readers, writers and rule packs register through
the *same* group from the ``ecm-gateway`` distribution. Only built-ins and allow-listed distributions
(``ECM_PLUGIN_ALLOWLIST``) load; a plugin that fails to load raises :class:`~gateway.errors.PluginError`
naming its distribution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Final

from gateway.errors import PluginError
from gateway.formats import FormatReader, FormatWriter
from gateway.rules import RulePack

__all__ = ["BUILTIN_DISTRIBUTION", "ENTRY_POINT_GROUP", "LoadedPlugin", "Plugin", "Registry", "load_registry"]

ENTRY_POINT_GROUP: Final = "ecm_gateway"
BUILTIN_DISTRIBUTION: Final = "ecm-gateway"


@dataclass(frozen=True)
class Plugin:
    """What a plugin contributes. Every part is optional."""

    name: str
    readers: tuple[FormatReader, ...] = ()
    writers: tuple[FormatWriter, ...] = ()
    rule_packs: tuple[RulePack, ...] = ()
    """Conformance rule packs (see ``gateway.RulePack``)."""
    mapping_dirs: tuple[Path, ...] = ()
    """Folders of declarative mapping files this plugin ships."""


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin together with where it came from."""

    plugin: Plugin
    entry_point: str
    distribution: str

    @property
    def builtin(self) -> bool:
        return self.distribution == BUILTIN_DISTRIBUTION


@dataclass
class Registry:
    """Everything the loaded plugins contribute, by id."""

    plugins: list[LoadedPlugin] = field(default_factory=list)
    readers: dict[str, FormatReader] = field(default_factory=dict)
    writers: dict[str, FormatWriter] = field(default_factory=dict)
    rule_packs: dict[str, RulePack] = field(default_factory=dict)

    def add(self, loaded: LoadedPlugin) -> None:
        """Register a plugin's contributions; a second reader or writer for the same format id is an error."""
        for reader in loaded.plugin.readers:
            if reader.format_id in self.readers:
                raise PluginError(f"reader for {reader.format_id!r} registered twice", distribution=loaded.distribution)
            self.readers[reader.format_id] = reader
        for writer in loaded.plugin.writers:
            if writer.format_id in self.writers:
                raise PluginError(f"writer for {writer.format_id!r} registered twice", distribution=loaded.distribution)
            self.writers[writer.format_id] = writer
        for pack in loaded.plugin.rule_packs:
            if pack.id in self.rule_packs:
                raise PluginError(f"rule pack {pack.id!r} registered twice", distribution=loaded.distribution)
            self.rule_packs[pack.id] = pack
        self.plugins.append(loaded)

    def reader(self, format_id: str) -> FormatReader | None:
        """The reader for ``format_id``, or ``None``."""
        return self.readers.get(format_id)

    def detect(self, name: str, head: bytes) -> FormatReader | None:
        """The first reader (in format-id order) whose ``sniff`` accepts the file, or ``None``."""
        for format_id in sorted(self.readers):
            reader = self.readers[format_id]
            if reader.sniff(name, head):
                return reader
        return None


def _distribution_of(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return dist.name if dist is not None else "<unknown distribution>"


def load_registry(
    allowlist: Iterable[str] = (), *, extra: Iterable[Plugin] = (), entry_points_: Iterable[EntryPoint] | None = None
) -> Registry:
    """Load built-in and allow-listed plugins from the ``ecm_gateway`` entry points.

    ``extra`` plugins (already imported objects, e.g. in tests) are added after the entry points.
    Third-party distributions not in ``allowlist`` are skipped silently but listed as skipped by
    ``ecm-gateway plugins``.
    """
    allowed = {name.lower() for name in allowlist} | {BUILTIN_DISTRIBUTION}
    registry = Registry()
    found = entry_points(group=ENTRY_POINT_GROUP) if entry_points_ is None else entry_points_
    for entry_point in sorted(found, key=lambda ep: ep.name):
        distribution = _distribution_of(entry_point)
        if distribution.lower() not in allowed:
            continue
        try:
            obj = entry_point.load()
        except Exception as exc:  # any import-time failure of third-party code
            raise PluginError(
                f"entry point {entry_point.name!r} failed to load: {exc}", distribution=distribution
            ) from exc
        if not isinstance(obj, Plugin):
            raise PluginError(
                f"entry point {entry_point.name!r} is a {type(obj).__name__}, expected gateway.Plugin",
                distribution=distribution,
            )
        registry.add(LoadedPlugin(plugin=obj, entry_point=entry_point.name, distribution=distribution))
    for plugin in extra:
        registry.add(LoadedPlugin(plugin=plugin, entry_point=plugin.name, distribution="<in-process>"))
    return registry


def listed_entry_points() -> list[tuple[str, str, bool]]:
    """(entry point, distribution, builtin) for every ``ecm_gateway`` entry point installed."""
    return [
        (ep.name, _distribution_of(ep), _distribution_of(ep) == BUILTIN_DISTRIBUTION)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    ]
