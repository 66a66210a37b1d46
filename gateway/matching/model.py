"""The Fellegi-Sunter model: m and u probabilities per field and level, and the weights they give.

``m`` is the probability of a level among pairs that *are* the same child, ``u`` among pairs that are not;
a level's weight is ``log2(m / u)`` and a pair's weight is the sum over the fields that are not missing.
Parameters are estimated from the data (:mod:`gateway.matching.estimation`) and can be fixed in a
configuration file — the built-in one is ``mappings/matching/model.yaml``::

    fields:
      nhs_number:
        m: [0.97, 0.02, 0.01]        # exact, typo, differs (LEVELS order)
        u: [1.0e-07, 1.0e-06, 0.999999]
        fixed: [m, u]                # estimation leaves these alone
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from gateway.errors import ConfigurationError
from gateway.matching.comparisons import FIELDS, LEVELS, MISSING
from gateway.resources import data_dir

__all__ = ["MODEL_FILE", "FieldParameters", "MatchModel", "load_model"]

MODEL_FILE: Final = "matching/model.yaml"
"""The built-in model under ``mappings/``."""

_FLOOR: Final = 1e-9

Fixed = Literal["m", "u"]


@dataclass(frozen=True)
class FieldParameters:
    """m and u per level of one field (``LEVELS[field]`` order), and which of them estimation may not change."""

    m: tuple[float, ...]
    u: tuple[float, ...]
    fixed: frozenset[Fixed] = frozenset()

    def weights(self) -> tuple[float, ...]:
        """``log2(m / u)`` per level."""
        return tuple(math.log2(max(m, _FLOOR) / max(u, _FLOOR)) for m, u in zip(self.m, self.u, strict=True))


def _normalised(values: list[float], where: str) -> tuple[float, ...]:
    if any(not isinstance(v, (int, float)) or v < 0 for v in values):
        raise ConfigurationError(f"{where}: probabilities must be non-negative numbers")
    total = sum(values)
    if total <= 0:
        raise ConfigurationError(f"{where}: probabilities must not all be zero")
    return tuple(float(v) / total for v in values)


@dataclass(frozen=True)
class MatchModel:
    """Parameters for every compared field, plus the proportion of matches seen when they were estimated."""

    fields: Mapping[str, FieldParameters]
    match_proportion: float = 0.01
    """Estimated share of candidate pairs that are matches (informative only; grades use weights)."""
    trained_on: str = ""
    """A note on where the parameters came from."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in FIELDS:
            parameters = self.fields.get(name)
            if parameters is None:
                raise ConfigurationError(f"match model: field {name!r} has no parameters")
            if len(parameters.m) != len(LEVELS[name]) or len(parameters.u) != len(LEVELS[name]):
                raise ConfigurationError(
                    f"match model: field {name!r} needs {len(LEVELS[name])} levels ({', '.join(LEVELS[name])})"
                )

    @cached_property
    def weight_table(self) -> tuple[tuple[float, ...], ...]:
        """Weights per field (``FIELDS`` order) and level."""
        return tuple(self.fields[name].weights() for name in FIELDS)

    def weight(self, levels: tuple[int, ...]) -> float:
        """The total weight of a comparison's levels (missing fields add nothing)."""
        table = self.weight_table
        return sum(table[i][level] for i, level in enumerate(levels) if level != MISSING)

    def field_weight(self, field_name: str, level: int) -> float:
        """The weight of one field at one level (0 when missing)."""
        if level == MISSING:
            return 0.0
        return self.weight_table[FIELDS.index(field_name)][level]

    def max_weight(self, field_name: str) -> float:
        """The best weight a field can contribute."""
        return max(self.weight_table[FIELDS.index(field_name)])

    def with_parameters(
        self, name: str, *, m: tuple[float, ...] | None = None, u: tuple[float, ...] | None = None
    ) -> MatchModel:
        """A copy with one field's m and/or u replaced (fixed parts are kept as they are)."""
        current = self.fields[name]
        new = replace(
            current,
            m=current.m if m is None or "m" in current.fixed else m,
            u=current.u if u is None or "u" in current.fixed else u,
        )
        return replace(self, fields={**self.fields, name: new})

    def to_dict(self) -> dict[str, Any]:
        """The configuration-file form."""
        return {
            "trained_on": self.trained_on,
            "match_proportion": round(self.match_proportion, 6),
            "fields": {
                name: {
                    "levels": list(LEVELS[name]),
                    "m": [float(f"{v:.6g}") for v in self.fields[name].m],
                    "u": [float(f"{v:.6g}") for v in self.fields[name].u],
                    **({"fixed": sorted(self.fields[name].fixed)} if self.fields[name].fixed else {}),
                }
                for name in FIELDS
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "match model") -> MatchModel:
        """Build from the configuration-file form; a field's ``levels``, when given, must match ``LEVELS``."""
        raw_fields = data.get("fields")
        if not isinstance(raw_fields, Mapping):
            raise ConfigurationError(f"{where}: 'fields' must be a mapping of field name to m and u")
        unknown = set(raw_fields) - set(FIELDS)
        if unknown:
            raise ConfigurationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        fields: dict[str, FieldParameters] = {}
        for name, spec in raw_fields.items():
            levels = spec.get("levels")
            if levels is not None and tuple(levels) != LEVELS[name]:
                raise ConfigurationError(f"{where}: {name} levels must be {', '.join(LEVELS[name])}")
            fixed = spec.get("fixed", [])
            if not set(fixed) <= {"m", "u"}:
                raise ConfigurationError(f"{where}: {name}.fixed may only list m and u")
            fields[name] = FieldParameters(
                m=_normalised(list(spec["m"]), f"{where}: {name}.m"),
                u=_normalised(list(spec["u"]), f"{where}: {name}.u"),
                fixed=frozenset(fixed),
            )
        return cls(
            fields=fields,
            match_proportion=float(data.get("match_proportion", 0.01)),
            trained_on=str(data.get("trained_on", "")),
        )

    def save(self, path: Path) -> None:
        """Write the configuration file (YAML)."""
        path.write_text(
            yaml.safe_dump(self.to_dict(), sort_keys=False, width=120, default_flow_style=None), encoding="utf-8"
        )


def load_model(path: Path | None = None) -> MatchModel:
    """The model in ``path`` (YAML), or the built-in one."""
    source = path or data_dir("mappings") / MODEL_FILE
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"match model {source.name} cannot be read") from exc
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"match model {source.name}: expected a mapping")
    return MatchModel.from_dict(data, where=f"match model {source.name}")
