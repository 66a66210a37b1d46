"""``ecm-gateway plugins``: what is loaded and from which distribution."""

from __future__ import annotations

from rich.table import Table

from gateway.cli.compose import build_registry
from gateway.cli.output import console
from gateway.plugins import listed_entry_points
from gateway.settings import load_settings

__all__ = ["plugins"]


def plugins() -> None:
    """List plugins (readers, writers, rule packs) with their distribution; shows skipped ones too.

    Third-party plugins load only when their distribution is in ECM_PLUGIN_ALLOWLIST
    (a JSON list, e.g. ECM_PLUGIN_ALLOWLIST='["acme-gateway-plugin"]').

    Example: ecm-gateway plugins
    """
    settings = load_settings()
    registry = build_registry(settings)
    loaded = {item.entry_point for item in registry.plugins}
    table = Table(title="ecm_gateway plugins")
    for column in ("plugin", "distribution", "status", "readers", "writers"):
        table.add_column(column)
    by_name = {item.entry_point: item for item in registry.plugins}
    for name, distribution, builtin in listed_entry_points():
        item = by_name.get(name)
        if item is None:
            table.add_row(name, distribution, "skipped (not allow-listed)", "", "")
            continue
        table.add_row(
            name,
            distribution,
            "built-in" if builtin else "allow-listed",
            ", ".join(reader.format_id for reader in item.plugin.readers),
            ", ".join(writer.format_id for writer in item.plugin.writers),
        )
    console.print(table)
    console.print(f"{len(loaded)} loaded; formats readable: {', '.join(sorted(registry.readers)) or 'none'}")
