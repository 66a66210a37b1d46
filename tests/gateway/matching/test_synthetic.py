"""The synthetic benchmark data: reproducible, with the truth, twins, valid identifiers and a clean split."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from gateway.identifiers import is_valid_nhs_number, is_valid_upn
from gateway.matching.synthetic import EASY, HARD, generate


def test_same_seed_same_data_and_truth() -> None:
    assert generate(HARD, 200, seed=3) == generate(HARD, 200, seed=3)
    assert generate(HARD, 200, seed=3).records != generate(HARD, 200, seed=4).records


def test_identifiers_are_valid_unless_a_typo_was_made() -> None:
    clean = replace(HARD, nhs_typo=0.0, upn_typo=0.0)
    data = generate(clean, 500, seed=1)
    assert all(is_valid_nhs_number(r.nhs_number) for r in data.records if r.nhs_number)
    assert all(is_valid_upn(u) for r in data.records for u in r.upns)
    missing = sum(1 for r in data.records if r.nhs_number is None) / len(data.records)
    assert 0.4 < missing < 0.7  # the hard setting leaves NHS numbers out of about half the records


def test_twins_siblings_and_duplicates_exist() -> None:
    data = generate(HARD, 2000, seed=2)
    by_household: dict[str, set[str]] = defaultdict(set)
    for record in data.records:
        by_household[data.household_of[record.record_id]].add(data.child_of[record.record_id])
    assert any(len(children) > 1 for children in by_household.values())
    births: dict[tuple[str, object], set[str]] = defaultdict(set)
    for record in data.records:
        births[(data.household_of[record.record_id], record.birth_date)].add(data.child_of[record.record_id])
    assert any(len(children) > 1 for children in births.values())  # twins
    assert len(data.true_pairs()) > len(data.records) * 0.3


def test_easy_is_cleaner_than_hard() -> None:
    easy, hard = generate(EASY, 1000, seed=5), generate(HARD, 1000, seed=5)
    share = lambda d: sum(1 for r in d.records if r.nhs_number) / len(d.records)  # noqa: E731
    assert share(easy) > share(hard)


def test_split_keeps_households_together() -> None:
    data = generate(HARD, 600, seed=6)
    train, test = data.split(0.5, seed=1)
    assert len(train.records) + len(test.records) == len(data.records)
    assert not set(train.household_of.values()) & set(test.household_of.values())
    assert train.true_pairs() | test.true_pairs() == data.true_pairs()
