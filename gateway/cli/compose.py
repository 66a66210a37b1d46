"""Builds the gateway's parts from settings: the one place the CLI wires adapters and conformance in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gateway.cli.wiring import build_resolver, build_routing
from gateway.intake import Intake
from gateway.model import CanonicalMessage
from gateway.pipeline import Check
from gateway.plugins import Registry, load_registry
from gateway.settings import Settings
from gateway.storage import MessageStore, open_database

if TYPE_CHECKING:
    from gateway.rules.directory import DirectoryLookup

__all__ = ["build_checks", "build_intake", "build_registry"]


def build_registry(settings: Settings) -> Registry:
    """Built-in plugins plus the allow-listed third-party ones."""
    return load_registry(settings.plugin_allowlist)


def build_checks(
    settings: Settings,
    registry: Registry | None = None,
    *,
    directory_for: Callable[[CanonicalMessage], DirectoryLookup] | None = None,
) -> list[Check]:
    """The conformance check every submission runs: the profile named by ``ECM_PROFILE`` (``none``: no check).

    ``directory_for`` gives the directory rules (``ics-1b/possible-duplicate``) their lookup per message
    (identity resolution's); without it they report that they were not evaluated. Raises
    :class:`~gateway.errors.ConfigurationError` when the profile cannot be used.
    """
    if settings.profile == "none":
        return []
    from conformance.catalogue import Catalogue  # noqa: PLC0415 - composition root; keeps CLI start-up light
    from conformance.profile import load_profile  # noqa: PLC0415
    from conformance.runner import build_check  # noqa: PLC0415

    packs = (registry or build_registry(settings)).rule_packs.values()
    resolved = load_profile(settings.profile).resolve(Catalogue.of(packs))
    return [build_check(resolved, directory_for=directory_for)]


def build_intake(settings: Settings, database_url: str | None = None) -> Intake:
    """An :class:`Intake` on the configured (or given) database, migrated to the newest schema: every record
    matched against the directory before routing (possible duplicates held for review), each outcome and its
    outgoing events written to the outbox in one transaction (a relay publishes them)."""
    database = open_database(database_url or settings.effective_database_url)
    registry = build_registry(settings)
    router, outbox = build_routing(settings, registry, database)
    store = MessageStore(database)
    resolver = build_resolver(database, store, outbox)
    checks = build_checks(settings, registry, directory_for=resolver.lookup)
    return Intake(registry=registry, store=store, checks=checks, router=router, outbox=outbox, resolver=resolver)
