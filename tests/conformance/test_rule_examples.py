"""Every rule's own examples, run through the engine: each must pass or fail exactly as it says."""

from __future__ import annotations

import pytest

from conformance.catalogue import builtin_catalogue
from conformance.examples import run_example
from gateway import Example, Rule

CATALOGUE = builtin_catalogue()
CASES = [(rule, example) for rule in CATALOGUE.defined_rules() for example in rule.examples]


def _id(case: object) -> str:
    if isinstance(case, Example):
        return case.name
    assert not isinstance(case, str)
    return f"{case.pack}:{case.id}"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("rule", "example"), CASES, ids=[f"{_id(r)}:{_id(e)}" for r, e in CASES])
def test_rule_example(rule: Rule, example: Example) -> None:
    result = run_example(rule, example, CATALOGUE.parameters(rule.pack))
    assert sorted(result.failures) == sorted(example.fails), "reported paths differ from the example's"
    assert result.not_evaluated == example.not_evaluated, "'not evaluated' differs from the example's"
