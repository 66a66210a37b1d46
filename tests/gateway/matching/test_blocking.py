"""Blocking: one error in a record never hides its match, and keys stay small."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.matching.blocking import index_keys, query_keys
from gateway.matching.synthetic import HARD, generate
from tests.gateway.matching.helpers import child, prepared

BASE = {"nhs": None, "upns": (), "local_ids": ()}


def shares_a_key(a: object, b: object) -> bool:
    return bool(set(query_keys(prepared(a))) & set(index_keys(prepared(b))))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"family": "Smyth"},
        {"family": "Smiht"},
        {"given": "Olly"},
        {"given": "Smith", "family": "Oliver"},
        {"birth": date(2015, 3, 15)},
        {"birth": date(2016, 3, 14)},
        {"birth": date(2015, 14 - 11, 14)},
        {"postcode": "M14 5QT", "line": "1 Mill Lane"},
        {"family": "Smith-Jones", "postcode": "M14 5QT"},
    ],
)
def test_one_error_does_not_hide_a_match(change: dict[str, object]) -> None:
    original = child("a", **BASE)  # type: ignore[arg-type]
    changed = child("b", **{**BASE, **change})  # type: ignore[arg-type]
    assert shares_a_key(changed, original)


def test_a_surname_typo_and_a_year_typo_together_are_still_found() -> None:
    assert shares_a_key(child("b", family="Smiht", birth=date(2051, 3, 14), postcode=None), child("a", postcode=None))


def test_undated_keys_are_queried_only_without_a_birth_date() -> None:
    dated, undated = prepared(child("a")), prepared(child("b", birth=None))
    assert any(k.startswith("g0:") for k in index_keys(dated))
    assert not any(k.startswith("g0:") for k in query_keys(dated))
    assert any(k.startswith("g0:") for k in query_keys(undated))


def test_almost_every_true_pair_of_the_hard_set_shares_a_key() -> None:
    data = generate(HARD, 2000, seed=8)
    by_id = {r.record_id: prepared(r) for r in data.records}
    pairs = data.true_pairs()
    found = sum(1 for a, b in pairs if set(query_keys(by_id[a])) & set(index_keys(by_id[b])))
    assert found / len(pairs) > 0.98  # the rest have two or more independent errors
