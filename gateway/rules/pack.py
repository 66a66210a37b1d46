"""Rule packs: named sets of rules, each possibly a delta over a base pack.

A pack lists its rules directly (``rules=``) or names a Python package whose modules each define one
rule as ``RULE`` (``package=``), imported only when the pack is first used. A pack with a ``base``
inherits the base's rules, minus ``deleted`` ids, with its own rules added or replacing the base's rule of
the same id — how DfE publishes each census year's rules over the year before.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import ConfigurationError
from gateway.rules.rule import DirectoryRule, RecordRule, Rule, SubmissionRule

__all__ = ["RulePack", "load_package_rules"]

_RULE_TYPES = (RecordRule, SubmissionRule, DirectoryRule)


def load_package_rules(package: str) -> tuple[Rule, ...]:
    """Import every public module of ``package`` and collect its ``RULE`` (modules starting ``_`` are helpers)."""
    module = importlib.import_module(package)
    rules: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda item: item.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        rule = getattr(importlib.import_module(f"{package}.{info.name}"), "RULE", None)
        if not isinstance(rule, _RULE_TYPES):
            raise ConfigurationError(f"rule module {package}.{info.name} defines no RULE")
        rules.append(rule)
    return tuple(rules)


@dataclass(frozen=True)
class RulePack:
    """A named set of rules (or a delta over ``base``), contributed by a plugin through ``Plugin.rule_packs``."""

    id: str
    title: str
    description: str = ""
    base: str | None = None
    """Id of the pack this one extends (its rules are inherited)."""
    rules: tuple[Rule, ...] = ()
    package: str | None = None
    """A package whose modules each define one ``RULE``; loaded on first use."""
    deleted: tuple[str, ...] = ()
    """Ids of base rules this pack removes."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """Values the pack's rules read from ``CheckContext.parameters`` (inherited from the base, overridable)."""
    source: str | None = None
    """Where the rules come from (publication, licence)."""

    def own_rules(self) -> tuple[Rule, ...]:
        """The rules this pack defines itself (added or changed), not those it inherits."""
        if self.package is None:
            return self.rules
        return self.rules + _cached_package_rules(self.package)


_PACKAGE_RULES: dict[str, tuple[Rule, ...]] = {}


def _cached_package_rules(package: str) -> tuple[Rule, ...]:
    rules = _PACKAGE_RULES.get(package)
    if rules is None:
        rules = _PACKAGE_RULES[package] = load_package_rules(package)
    return rules
