"""The Fellegi-Sunter model: configuration, fixed parameters, and estimation by EM."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gateway.errors import ConfigurationError
from gateway.matching import FIELDS, LEVELS, MatchModel, estimate_model, load_model
from gateway.matching.estimation import expectation_maximisation, patterns_of
from gateway.matching.synthetic import HARD, generate
from tests.gateway.matching.helpers import prepared


def test_built_in_model_loads_and_agreement_outweighs_disagreement() -> None:
    model = load_model()
    for field in FIELDS:
        weights = model.fields[field].weights()
        assert len(weights) == len(LEVELS[field])
        if field != "local_id":
            assert weights[0] > 0 > weights[-1], field


def test_configuration_round_trip(tmp_path: Path) -> None:
    model = load_model()
    path = tmp_path / "model.yaml"
    model.save(path)
    again = load_model(path)
    for field in FIELDS:
        assert again.fields[field].m == pytest.approx(model.fields[field].m, rel=1e-4)
        assert again.fields[field].u == pytest.approx(model.fields[field].u, rel=1e-4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["fields"].pop("sex"), "has no parameters"),
        (lambda d: d["fields"]["sex"].update(m=[0.5, 0.3, 0.2]), "needs 2 levels"),
        (lambda d: d["fields"]["sex"].update(levels=["differs", "agrees"]), "levels must be"),
        (lambda d: d["fields"]["sex"].update(fixed=["w"]), "may only list m and u"),
        (lambda d: d["fields"].update(shoe_size={"m": [1], "u": [1]}), "unknown field"),
        (lambda d: d["fields"]["sex"].update(u=[0, 0]), "must not all be zero"),
    ],
)
def test_bad_configuration_is_refused(change: object, message: str) -> None:
    data = load_model().to_dict()
    change(data)  # type: ignore[operator]
    with pytest.raises(ConfigurationError, match=message):
        MatchModel.from_dict(data)


def test_estimation_learns_from_unlabelled_data_and_keeps_fixed_parameters() -> None:
    data = generate(HARD, 1500, seed=9)
    records = [prepared(r) for r in data.records]
    start = load_model().to_dict()
    start["fields"]["sex"].update(m=[0.7, 0.3], fixed=["m"])
    for field in FIELDS:
        if field != "sex":
            start["fields"][field]["m"] = [1.0] * len(LEVELS[field])  # an uninformed start
    model = estimate_model(records, MatchModel.from_dict(start), u_pairs=20_000, seed=2)
    assert model.fields["sex"].m == pytest.approx((0.7, 0.3))
    assert model.fields["birth_date"].m[0] > 0.6  # most records of one child agree on birth date
    assert model.fields["nhs_number"].m[0] > 0.8
    assert model.fields["family_name"].u[0] < 0.05  # few random pairs share a surname
    assert 0 < model.match_proportion < 1


def test_em_on_obvious_patterns_separates_matches() -> None:
    agree, disagree = (0,) * len(FIELDS), tuple(len(LEVELS[f]) - 1 for f in FIELDS)
    m, proportion = expectation_maximisation(Counter({agree: 100, disagree: 900}), load_model())
    assert proportion == pytest.approx(0.1, abs=0.01)
    assert m["given_name"][0] > 0.95


def test_patterns_count_comparison_vectors() -> None:
    data = generate(HARD, 50, seed=1)
    records = [prepared(r) for r in data.records]
    patterns = patterns_of(iter([(records[0], records[1]), (records[0], records[1])]))
    assert sum(patterns.values()) == 2 and len(patterns) == 1
