"""A record is matched once per message: the conformance check's preview and resolution share the work."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from gateway.matching import matcher as matcher_module
from gateway.model import CanonicalMessage, Issue
from gateway.storage import Database
from tests.gateway.matching.test_resolution import pipeline, record


def test_the_possible_duplicate_check_and_resolution_compare_each_pair_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = pipeline(database)
    resolver = p.intake.resolver
    assert resolver is not None

    def possible_duplicates(message: CanonicalMessage) -> list[Issue]:
        lookup = resolver.lookup(message)  # type: ignore[attr-defined]
        for child in message.records:
            lookup.possible_duplicates(child)
        return []

    p.intake.checks = [possible_duplicates]
    p.send([record("C1")], supplier="council")
    compared: Counter[tuple[str, str]] = Counter()
    prepared: Counter[str] = Counter()
    real_compare, real_prepare = matcher_module.compare, matcher_module.prepare

    def counting_compare(a: Any, b: Any) -> Any:
        compared[(a.record_id, b.record_id)] += 1
        return real_compare(a, b)

    def counting_prepare(identity: Any, nicknames: Any) -> Any:
        prepared[identity.record_id] += 1
        return real_prepare(identity, nicknames)

    monkeypatch.setattr(matcher_module, "compare", counting_compare)
    monkeypatch.setattr(matcher_module, "prepare", counting_prepare)
    result = p.send([record("S9"), record("S8", given="Olly", nhs=None)], supplier="school")
    assert result.held == (1,)  # S9 linked (certain), S8 held for review: both previewed, then resolved
    assert compared and set(compared.values()) == {1}, compared
    assert set(prepared.values()) == {1}, prepared
    assert len(p.queue.reviews()) == 2  # S8 against each record of the child: one review per candidate
