"""The catalogue: every rule pack the loaded plugins contribute, with each pack's deltas resolved.

A pack with a ``base`` is resolved to its effective rule set: the base's effective rules, minus the pack's
``deleted`` ids, with the pack's own rules added or replacing the base's rule of the same id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway import Rule, RulePack
from gateway.errors import ConfigurationError

__all__ = ["Catalogue", "builtin_catalogue"]


@dataclass
class Catalogue:
    """Rule packs by id, resolved on demand."""

    packs: Mapping[str, RulePack]
    _resolved: dict[str, dict[str, Rule]] = field(default_factory=dict)

    @classmethod
    def of(cls, packs: Iterable[RulePack]) -> Catalogue:
        """A catalogue of ``packs`` (ids must be unique)."""
        by_id: dict[str, RulePack] = {}
        for pack in packs:
            if pack.id in by_id:
                raise ConfigurationError(f"rule pack {pack.id!r} is defined twice")
            by_id[pack.id] = pack
        return cls(by_id)

    def pack(self, pack_id: str) -> RulePack:
        """The pack named ``pack_id``; a :class:`ConfigurationError` lists the known ones otherwise."""
        pack = self.packs.get(pack_id)
        if pack is None:
            known = ", ".join(sorted(self.packs)) or "none"
            raise ConfigurationError(f"unknown rule pack {pack_id!r}; known packs: {known}")
        return pack

    def rules(self, pack_id: str) -> dict[str, Rule]:
        """The effective rules of a pack, by id, in catalogue order (base rules first)."""
        resolved = self._resolved.get(pack_id)
        if resolved is not None:
            return resolved
        return self._resolve(pack_id, ())

    def _resolve(self, pack_id: str, seen: tuple[str, ...]) -> dict[str, Rule]:
        if pack_id in seen:
            raise ConfigurationError(f"rule packs extend each other in a cycle: {' -> '.join((*seen, pack_id))}")
        pack = self.pack(pack_id)
        rules: dict[str, Rule] = {}
        if pack.base is not None:
            rules.update(self._resolve(pack.base, (*seen, pack_id)))
        for rule_id in pack.deleted:
            if rules.pop(rule_id, None) is None:
                raise ConfigurationError(f"rule pack {pack_id!r} deletes {rule_id!r}, which its base does not have")
        for rule in pack.own_rules():
            rules[rule.id] = rule
        self._resolved[pack_id] = rules
        return rules

    def parameters(self, pack_id: str) -> dict[str, Any]:
        """The pack's parameters, inherited from its bases."""
        pack = self.pack(pack_id)
        inherited = self.parameters(pack.base) if pack.base is not None else {}
        return {**inherited, **pack.parameters}

    def defined_rules(self) -> list[Rule]:
        """Every rule every pack defines (a rule changed in a later year appears once per version)."""
        return [rule for pack_id in sorted(self.packs) for rule in self.packs[pack_id].own_rules()]

    def find(self, rule_id: str) -> list[Rule]:
        """Every version of the rule ``rule_id`` (one per pack that defines it)."""
        return [rule for rule in self.defined_rules() if rule.id == rule_id]


def builtin_catalogue() -> Catalogue:
    """The gateway's own packs only (no plugins): for tests and documentation."""
    from conformance import plugin  # noqa: PLC0415 - the package's plugin object, imported lazily

    return Catalogue.of(plugin.rule_packs)
