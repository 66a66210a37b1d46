"""Estimating the model from unlabelled records, as Splink does.

* ``u`` (how often *different* children agree by chance) from random pairs of records: almost all random
  pairs are different children.
* ``m`` (how often the *same* child's records agree) by expectation maximisation on candidate pairs, in
  training sessions blocked on birth date and on names — never on household (address, carers), which would
  teach the model "same household" rather than "same child" (twins and siblings share a household). The
  fields a session blocks on are left out of that session; each field's ``m`` is the mean over the sessions
  that estimated it.

Parameters marked ``fixed`` in the starting model are kept as configured.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

from gateway.matching.comparisons import FIELDS, LEVELS, MISSING, compare
from gateway.matching.features import PreparedRecord
from gateway.matching.model import FieldParameters, MatchModel

__all__ = ["TrainingSession", "estimate_model", "estimate_u", "expectation_maximisation", "patterns_of"]

log = logging.getLogger(__name__)

Patterns = Counter[tuple[int, ...]]


@dataclass(frozen=True)
class TrainingSession:
    """Pairs blocked on ``key``; ``excluded`` fields are left out of this session's estimate."""

    name: str
    key: Callable[[PreparedRecord], str | None]
    excluded: frozenset[str]


def _birth_key(record: PreparedRecord) -> str | None:
    return record.birth_digits or None


def _names_key(record: PreparedRecord) -> str | None:
    if not record.names or not record.names[0].given or not record.names[0].family:
        return None
    name = record.names[0]
    return f"{min(name.given_forms)}|{name.family}"


DEFAULT_SESSIONS = (
    TrainingSession("birth date", _birth_key, frozenset({"birth_date"})),
    TrainingSession("names", _names_key, frozenset({"given_name", "family_name"})),
)


def patterns_of(pairs: Iterator[tuple[PreparedRecord, PreparedRecord]]) -> Patterns:
    """Count the distinct comparison vectors of ``pairs``."""
    return Counter(compare(a, b).levels for a, b in pairs)


def _blocked_pairs(
    records: Sequence[PreparedRecord], key: Callable[[PreparedRecord], str | None], max_block: int
) -> Iterator[tuple[PreparedRecord, PreparedRecord]]:
    blocks: dict[str, list[PreparedRecord]] = defaultdict(list)
    for record in records:
        value = key(record)
        if value is not None:
            blocks[value].append(record)
    for block in blocks.values():
        if 1 < len(block) <= max_block:
            yield from combinations(block, 2)


def estimate_u(
    records: Sequence[PreparedRecord], *, pairs: int = 200_000, seed: int = 0
) -> dict[str, tuple[float, ...]]:
    """u per field and level from ``pairs`` random pairs (add-half smoothing, so no level has u = 0)."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    counts = [[0.0] * len(LEVELS[field]) for field in FIELDS]
    size = len(records)
    if size < 2:
        raise ValueError("estimating u needs at least two records")
    for _ in range(pairs):
        i, j = rng.randrange(size), rng.randrange(size)
        if i == j:
            continue
        for index, level in enumerate(compare(records[i], records[j]).levels):
            if level != MISSING:
                counts[index][level] += 1
    result: dict[str, tuple[float, ...]] = {}
    for index, field in enumerate(FIELDS):
        smoothed = [count + 0.5 for count in counts[index]]
        total = sum(smoothed)
        result[field] = tuple(value / total for value in smoothed)
    return result


_M_FLOOR = 0.002  # no level is impossible for the same child: keeps weights finite and moderate


def _floored(counts: list[float]) -> list[float]:
    total = sum(counts) or 1.0
    values = [max(count / total, _M_FLOOR) for count in counts]
    norm = sum(values)
    return [value / norm for value in values]


def expectation_maximisation(
    patterns: Patterns,
    model: MatchModel,
    *,
    excluded: Collection[str] = (),
    iterations: int = 100,
    tolerance: float = 1e-6,
) -> tuple[dict[str, tuple[float, ...]], float]:
    """m per field (``excluded`` fields left out) and the match proportion, with u held as in ``model``."""
    used = [i for i, field in enumerate(FIELDS) if field not in excluded]
    m = {i: list(model.fields[FIELDS[i]].m) for i in used}
    u = {i: model.fields[FIELDS[i]].u for i in used}
    proportion = min(max(model.match_proportion, 1e-4), 0.5)
    items = list(patterns.items())
    for _ in range(iterations):
        sums = {i: [0.0] * len(m[i]) for i in used}
        matched = total = 0.0
        for levels, count in items:
            p_match, p_non = proportion, 1.0 - proportion
            for i in used:
                level = levels[i]
                if level != MISSING:
                    p_match *= m[i][level]
                    p_non *= u[i][level]
            posterior = p_match / (p_match + p_non) if p_match + p_non > 0 else 0.0
            weighted = posterior * count
            matched += weighted
            total += count
            for i in used:
                level = levels[i]
                if level != MISSING:
                    sums[i][level] += weighted
        change = 0.0
        for i in used:
            new = _floored(sums[i])
            change = max(change, *(abs(a - b) for a, b in zip(new, m[i], strict=True)))
            m[i] = new
        proportion = min(max(matched / total, 1e-6), 0.999) if total else proportion
        if change < tolerance:
            break
    return {FIELDS[i]: tuple(values) for i, values in m.items()}, proportion


def estimate_model(
    records: Sequence[PreparedRecord],
    start: MatchModel,
    *,
    sessions: Sequence[TrainingSession] = DEFAULT_SESSIONS,
    u_pairs: int = 200_000,
    max_block: int = 200,
    seed: int = 0,
    note: str = "",
) -> MatchModel:
    """A model estimated from ``records`` (u by random pairs, m by EM), keeping ``fixed`` parameters."""
    model = start
    for field, u in estimate_u(records, pairs=u_pairs, seed=seed).items():
        model = model.with_parameters(field, u=u)
    estimates: dict[str, list[tuple[float, ...]]] = defaultdict(list)
    proportions: list[float] = []
    for session in sessions:
        patterns = patterns_of(_blocked_pairs(records, session.key, max_block))
        if not patterns:
            continue
        m, proportion = expectation_maximisation(patterns, model, excluded=session.excluded)
        proportions.append(proportion)
        for field, values in m.items():
            estimates[field].append(values)
        log.info("match model session estimated", extra={"records": sum(patterns.values())})
    for field, estimated in estimates.items():
        mean = tuple(sum(column) / len(column) for column in zip(*estimated, strict=True))
        model = model.with_parameters(field, m=mean)
    fields: dict[str, FieldParameters] = dict(model.fields)
    return replace(
        model,
        fields=fields,
        match_proportion=sum(proportions) / len(proportions) if proportions else model.match_proportion,
        trained_on=note or f"EM on {len(records)} records",
    )
