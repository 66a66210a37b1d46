"""Builds the gateway's parts from settings: the one place the CLI wires adapters and conformance in."""

from __future__ import annotations

from gateway.intake import Intake
from gateway.pipeline import Check
from gateway.plugins import Registry, load_registry
from gateway.settings import Settings
from gateway.storage import MessageStore, open_database

__all__ = ["build_checks", "build_intake", "build_registry"]


def build_registry(settings: Settings) -> Registry:
    """Built-in plugins plus the allow-listed third-party ones."""
    return load_registry(settings.plugin_allowlist)


def build_checks(settings: Settings) -> list[Check]:
    """The conformance checks every submission runs (none until a profile is configured)."""
    del settings
    return []


def build_intake(settings: Settings, database_url: str | None = None) -> Intake:
    """An :class:`Intake` on the configured (or given) database, migrated to the newest schema."""
    database = open_database(database_url or settings.effective_database_url)
    return Intake(registry=build_registry(settings), store=MessageStore(database), checks=build_checks(settings))
