"""Builds the gateway's parts from settings: the one place the CLI wires adapters and conformance in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gateway.cli.wiring import build_message_store, build_resolver, build_routing
from gateway.errors import ConfigurationError
from gateway.intake import Intake
from gateway.model import CanonicalMessage, Envelope
from gateway.pipeline import Check
from gateway.plugins import Registry, load_registry
from gateway.settings import Settings
from gateway.storage import Database, open_database

if TYPE_CHECKING:
    from gateway.rules.directory import DirectoryLookup

__all__ = ["build_checks", "build_intake", "build_profile_note", "build_registry"]


def build_registry(settings: Settings) -> Registry:
    """Built-in plugins plus the allow-listed third-party ones."""
    return load_registry(settings.plugin_allowlist)


def build_checks(
    settings: Settings,
    registry: Registry | None = None,
    *,
    directory_for: Callable[[CanonicalMessage], DirectoryLookup] | None = None,
    explicit: str | None = None,
) -> list[Check]:
    """The conformance check every submission runs (``ECM_PROFILE=none``: no check).

    The profile is chosen per submission (``conformance.selection``): a CIN census file gets the DfE pack of
    the census year its header declares, an SSDA903 file ``ics-1b``, every other format ``ECM_PROFILE``
    (default ``ics-1c``) — unless ``explicit`` names one profile for every format (as ``check --profile``
    does). ``directory_for`` gives the directory rules (``ics-1b/possible-duplicate``) their
    lookup per message (identity resolution's); without it they report that they were not evaluated.
    Raises :class:`~gateway.errors.ConfigurationError` when the configured profile cannot be used.
    """
    if settings.profile == "none":
        return []
    from conformance.catalogue import Catalogue  # noqa: PLC0415 - composition root; keeps CLI start-up light
    from conformance.runner import build_check  # noqa: PLC0415
    from conformance.selection import ProfileSelection  # noqa: PLC0415

    packs = (registry or build_registry(settings)).rule_packs.values()
    selection = ProfileSelection(Catalogue.of(packs), default=settings.profile, explicit=explicit)
    try:
        selection.resolved(explicit or settings.profile)  # a profile that cannot be used fails at start-up
    except ConfigurationError as exc:
        if explicit is not None:
            raise
        raise ConfigurationError(f"ECM_PROFILE: {exc}") from exc
    return [build_check(selection, directory_for=directory_for)]


def build_profile_note(settings: Settings, registry: Registry | None = None) -> Callable[[Envelope], str] | None:
    """What ``submit`` and ``demo`` print: which profile checked a message and why (``None``: no checks).

    The same choice :func:`build_checks` makes, from the format and census year the envelope records.
    """
    if settings.profile == "none":
        return None
    from conformance.catalogue import Catalogue  # noqa: PLC0415 - composition root
    from conformance.selection import ProfileSelection  # noqa: PLC0415
    from gateway.formats import SubmissionHeader  # noqa: PLC0415

    packs = (registry or build_registry(settings)).rule_packs.values()
    selection = ProfileSelection(Catalogue.of(packs), default=settings.profile)

    def note(envelope: Envelope) -> str:
        declared = SubmissionHeader(format_id=envelope.format_id, format_version=envelope.format_version)
        choice = selection.choose(envelope.format_id, declared)
        return f"checked against profile {choice.id}: {choice.reason}"

    return note


def build_intake(settings: Settings, database_url: str | None = None, *, database: Database | None = None) -> Intake:
    """An :class:`Intake` on the configured (or given) database, migrated to the newest schema: every record
    matched against the directory before routing (possible duplicates held for review), each outcome and its
    outgoing events written to the outbox in one transaction (a relay publishes them). ``database`` (already
    open, e.g. the HTTP app's) is used as it is."""
    database = database or open_database(database_url or settings.effective_database_url)
    registry = build_registry(settings)
    router, outbox = build_routing(settings, registry, database)
    store = build_message_store(settings, database)
    resolver = build_resolver(database, store, outbox)
    checks = build_checks(settings, registry, directory_for=resolver.lookup)
    return Intake(registry=registry, store=store, checks=checks, router=router, outbox=outbox, resolver=resolver)
