"""Profiles: which rule packs a check runs, and a council's per-rule overrides with their reasons.

A profile is a YAML file validated by ``schemas/conformance/profile.schema.json``::

    id: barsetshire-go-live
    title: Barsetshire's go-live check for ICS suppliers
    packs: [ics-1c]
    overrides:
      - rule: ics-1b/possible-duplicate
        strength: MUST
        reason: Duplicate prevention is mandatory here - several files for one child is an enormous risk.

Built-in profiles live in ``conformance/profiles/`` and are named by id (``--profile ics-1c``); any other
profile is named by its path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import jsonschema  # type: ignore[import-untyped]
import yaml

from conformance.catalogue import Catalogue
from conformance.engine import ActiveRule
from gateway import SEVERITY_OF, Rule, Strength
from gateway.errors import ConfigurationError
from gateway.resources import data_dir

__all__ = ["BUILTIN_PROFILES", "Override", "Profile", "ResolvedProfile", "builtin_profile_ids", "load_profile"]

BUILTIN_PROFILES: Final = Path(__file__).resolve().parent / "profiles"


@dataclass(frozen=True, slots=True)
class Override:
    """A council's change to one rule: a new strength, or disabled; always with a reason."""

    rule: str
    reason: str
    strength: Strength | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Profile:
    """A named set of packs with overrides."""

    id: str
    title: str
    packs: tuple[str, ...]
    overrides: tuple[Override, ...] = ()
    description: str = ""
    source: str | None = None
    """The file the profile was read from (its name only for built-ins)."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str | None = None) -> Profile:
        """A profile from parsed YAML, validated against the profile JSON Schema first."""
        errors = sorted(_validator().iter_errors(data), key=lambda error: list(error.absolute_path))
        if errors:
            where = f" in {source}" if source else ""
            details = "; ".join(f"{_json_path(error.absolute_path)}: {error.message}" for error in errors[:5])
            raise ConfigurationError(f"the profile{where} is not valid: {details}")
        overrides = tuple(
            Override(
                rule=item["rule"],
                reason=item["reason"],
                strength=item.get("strength"),
                enabled=item.get("enabled", True),
            )
            for item in data.get("overrides", ())
        )
        return cls(
            id=data["id"],
            title=data["title"],
            packs=tuple(data["packs"]),
            overrides=overrides,
            description=data.get("description", ""),
            source=source,
        )

    def resolve(self, catalogue: Catalogue) -> ResolvedProfile:
        """The rules this profile runs, with their severities; unknown packs or rules are configuration errors."""
        rules: dict[str, Rule] = {}
        parameters: dict[str, Any] = {}
        for pack_id in self.packs:
            rules.update(catalogue.rules(pack_id))
            parameters.update(catalogue.parameters(pack_id))
        by_rule = {override.rule: override for override in self.overrides}
        unknown = sorted(set(by_rule) - set(rules))
        if unknown:
            raise ConfigurationError(f"profile {self.id!r} overrides rules its packs do not have: {', '.join(unknown)}")
        active: list[ActiveRule] = []
        disabled: list[tuple[Rule, Override]] = []
        for rule_id, rule in rules.items():
            override = by_rule.get(rule_id)
            if override is None:
                active.append(ActiveRule(rule, rule.severity))
            elif not override.enabled:
                disabled.append((rule, override))
            else:
                strength = override.strength or rule.strength
                active.append(ActiveRule(rule, SEVERITY_OF[strength], override.reason))
        return ResolvedProfile(self, tuple(active), tuple(disabled), parameters)


@dataclass(frozen=True)
class ResolvedProfile:
    """A profile's rules as they run: active ones with their severity, and the disabled ones with the reason."""

    profile: Profile
    active: tuple[ActiveRule, ...]
    disabled: tuple[tuple[Rule, Override], ...]
    parameters: Mapping[str, Any]


def _json_path(parts: Any) -> str:
    return "/" + "/".join(str(part) for part in parts) if parts else "(top level)"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema_path = data_dir("schemas") / "conformance" / "profile.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def builtin_profile_ids() -> list[str]:
    """Ids of the profiles shipped in ``conformance/profiles/``."""
    return sorted(path.stem for path in BUILTIN_PROFILES.glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by id, or a profile file by path. Raises :class:`ConfigurationError` when unusable."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        path, source = candidate, candidate.name
    else:
        path, source = BUILTIN_PROFILES / f"{name_or_path}.yaml", f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(builtin_profile_ids())
            raise ConfigurationError(
                f"no built-in profile {name_or_path!r} (built-in: {known}); name a profile file by its path"
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"the profile {source} cannot be read") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"the profile {source} is not valid YAML") from exc
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"the profile {source} is not a YAML mapping")
    return Profile.from_mapping(data, source)
