"""The catalogue: ids unique and matching file names, docs and examples present, DfE rules word for word."""

from __future__ import annotations

import csv
import importlib
import pkgutil
from collections import Counter
from pathlib import Path

import pytest

from conformance import plugin
from conformance.catalogue import builtin_catalogue
from gateway import DirectoryRule, RecordRule, RulePack, SubmissionRule, rule_file_stem

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = builtin_catalogue()
PACKS = list(plugin.rule_packs)
DFE_TABLE = ROOT / "conformance" / "data" / "cin-census" / "dfe_rules.csv"
CIN_YEARS = {"cin-census-2023-24": 2024, "cin-census-2024-25": 2025, "cin-census-2025-26": 2026}


def _dfe_rules(end_year: int) -> dict[str, dict[str, str]]:
    """DfE's rules in force for the census ending in ``end_year``: each year's rows over the year before."""
    rules: dict[str, dict[str, str]] = {}
    with DFE_TABLE.open(encoding="utf-8", newline="") as stream:
        rows = sorted(csv.DictReader(stream), key=lambda row: row["ruleset"])
    for row in rows:
        if 2000 + int(row["ruleset"][-2:]) <= end_year:
            rules[row["code"]] = row
    return rules


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.id)
def test_rule_files_are_named_after_their_ids(pack: RulePack) -> None:
    assert pack.package is not None
    module = importlib.import_module(pack.package)
    names = [info.name for info in pkgutil.iter_modules(module.__path__) if not info.name.startswith("_")]
    for name in names:
        rule = importlib.import_module(f"{pack.package}.{name}").RULE
        assert rule_file_stem(rule.id) == name, f"{pack.package}.{name} defines {rule.id}"
        assert rule.pack == pack.id, f"{rule.id} says pack {rule.pack}, lives in {pack.id}"


def test_rule_ids_are_unique_within_each_pack_and_definition() -> None:
    defined = Counter((rule.pack, rule.id) for rule in CATALOGUE.defined_rules())
    assert [key for key, count in defined.items() if count > 1] == []
    for pack in PACKS:
        ids = [rule.id for rule in CATALOGUE.rules(pack.id).values()]
        assert len(ids) == len(set(ids))


def test_ids_follow_the_pack_families() -> None:
    for rule in CATALOGUE.defined_rules():
        family = "cin" if rule.pack.startswith("cin-census-") else rule.pack
        assert rule.id.startswith(f"{family}/"), rule.id


@pytest.mark.parametrize("rule", CATALOGUE.defined_rules(), ids=lambda rule: f"{rule.pack}:{rule.id}")
def test_every_rule_is_documented_with_passing_and_failing_examples(rule: RecordRule) -> None:
    assert isinstance(rule, RecordRule | SubmissionRule | DirectoryRule)
    assert rule.message.strip() and rule.fields
    assert len(rule.doc.checks) > 20 and len(rule.doc.why) > 20 and len(rule.doc.fix) > 10
    assert any(example.passing for example in rule.examples), "no passing example"
    assert any(not example.passing for example in rule.examples), "no failing example"
    names = [example.name for example in rule.examples]
    assert len(names) == len(set(names)), "example names repeat"


@pytest.mark.parametrize(("pack_id", "end_year"), sorted(CIN_YEARS.items()))
def test_cin_packs_hold_dfe_rules_with_dfe_codes_severities_and_messages(pack_id: str, end_year: int) -> None:
    expected = _dfe_rules(end_year)
    rules = CATALOGUE.rules(pack_id)
    assert sorted(rule_id.removeprefix("cin/") for rule_id in rules) == sorted(expected)
    for rule_id, rule in rules.items():
        row = expected[rule_id.removeprefix("cin/")]
        assert rule.message == row["message"].strip(), f"{rule_id}: message differs from DfE's"
        assert rule.strength == ("MUST" if row["rule_type"] == "ERROR" else "SHOULD"), rule_id


def test_the_2024_25_pack_has_every_rule_of_the_table() -> None:
    assert len(CATALOGUE.rules("cin-census-2024-25")) == 109


def test_year_packs_are_deltas() -> None:
    own_2025 = {rule.id for rule in CATALOGUE.pack("cin-census-2024-25").own_rules()}
    assert own_2025 == {f"cin/{code}" for code in ("1570", "1580", "2886Q", "4180", "8750", "8770Q", "8945Q", "8950Q")}
    assert CATALOGUE.pack("cin-census-2025-26").own_rules() == ()
    assert CATALOGUE.rules("cin-census-2024-25")["cin/4180"].pack == "cin-census-2024-25"
    assert CATALOGUE.rules("cin-census-2024-25")["cin/8608"].pack == "cin-census-2023-24"
