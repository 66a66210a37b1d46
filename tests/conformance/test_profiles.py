"""Profiles: built-in ones load; council overrides raise, lower or disable rules with a recorded reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from conformance.catalogue import Catalogue, builtin_catalogue
from conformance.engine import Session
from conformance.examples import FixedDirectory
from conformance.profile import Profile, builtin_profile_ids, load_profile
from gateway import CheckContext, ChildRecord, PossibleDuplicate, RulePack
from gateway.errors import ConfigurationError

CATALOGUE = builtin_catalogue()


@pytest.mark.parametrize("profile_id", builtin_profile_ids())
def test_every_builtin_profile_resolves(profile_id: str) -> None:
    resolved = load_profile(profile_id).resolve(CATALOGUE)
    assert resolved.active and resolved.profile.id == profile_id


def test_ics_1c_includes_ics_1b() -> None:
    ics_1c = {active.rule.id for active in load_profile("ics-1c").resolve(CATALOGUE).active}
    ics_1b = {active.rule.id for active in load_profile("ics-1b").resolve(CATALOGUE).active}
    assert ics_1b < ics_1c


def test_the_councils_duplicate_prevention_is_raised_to_must() -> None:
    resolved = load_profile("duplicate-prevention-mandatory").resolve(CATALOGUE)
    by_id = {active.rule.id: active for active in resolved.active}
    duplicate = by_id["ics-1b/possible-duplicate"]
    assert duplicate.rule.strength == "SHOULD" and duplicate.severity == "error"
    assert duplicate.override_reason and "must-have" in duplicate.override_reason
    record = ChildRecord.model_validate({"child": {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}})
    directory = FixedDirectory([PossibleDuplicate("g-7", 0.8, "review")])
    context = CheckContext(today=date(2025, 6, 30))
    issues = Session([duplicate], context, directory).record(record)
    assert [(issue.rule, issue.severity) for issue in issues] == [("ics-1b/possible-duplicate", "error")]


def _profile(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_rule_can_be_lowered_and_disabled(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        {
            "id": "council",
            "title": "t",
            "packs": ["cin-census-2024-25"],
            "overrides": [
                {"rule": "cin/2887Q", "enabled": False, "reason": "a small authority uses few codes"},
                {"rule": "cin/8608", "strength": "INFO", "reason": "legacy system, being fixed"},
            ],
        },
    )
    resolved = load_profile(str(path)).resolve(CATALOGUE)
    assert [(rule.id, override.reason) for rule, override in resolved.disabled] == [
        ("cin/2887Q", "a small authority uses few codes")
    ]
    assert {active.rule.id: active.severity for active in resolved.active}["cin/8608"] == "information"
    assert "cin/2887Q" not in {active.rule.id for active in resolved.active}


def _with(override: dict[str, object]) -> dict[str, object]:
    return {"id": "x", "title": "t", "packs": ["ics-1b"], "overrides": [override]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "id": "x",
                "title": "t",
                "packs": ["ics-1b"],
                "overrides": [{"rule": "ics-1b/upn-valid", "strength": "MUST"}],
            },
            "reason",
        ),
        ({"id": "x", "title": "t", "packs": ["ics-1b"], "extra": 1}, "extra"),
        ({"id": "x", "title": "t", "packs": []}, "packs"),
        (
            {
                "id": "x",
                "title": "t",
                "packs": ["ics-1b"],
                "overrides": [{"rule": "r", "strength": "MUST", "enabled": False, "reason": "r"}],
            },
            "overrides",
        ),
    ],
)
def test_invalid_profiles_are_configuration_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Profile.from_mapping(data, "council.yaml")


def test_unknown_packs_and_rules_are_named() -> None:
    with pytest.raises(ConfigurationError, match="unknown rule pack 'ics-9z'"):
        Profile.from_mapping({"id": "x", "title": "t", "packs": ["ics-9z"]}).resolve(CATALOGUE)
    profile = Profile.from_mapping(
        {
            "id": "x",
            "title": "t",
            "packs": ["ics-1b"],
            "overrides": [{"rule": "cin/8608", "enabled": False, "reason": "r"}],
        }
    )
    with pytest.raises(ConfigurationError, match="cin/8608"):
        profile.resolve(CATALOGUE)


def test_broken_yaml_and_missing_profiles(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_profile(str(broken))
    with pytest.raises(ConfigurationError, match="no built-in profile"):
        load_profile("nope")


def test_pack_deltas_and_cycles() -> None:
    base = RulePack(id="a", title="a", package="conformance.packs.ics_1b")
    delta = RulePack(id="b", title="b", base="a", deleted=("ics-1b/upn-valid",))
    catalogue = Catalogue.of([base, delta])
    assert "ics-1b/upn-valid" in catalogue.rules("a") and "ics-1b/upn-valid" not in catalogue.rules("b")
    cyclic = Catalogue.of([RulePack(id="x", title="x", base="y"), RulePack(id="y", title="y", base="x")])
    with pytest.raises(ConfigurationError, match="cycle"):
        cyclic.rules("x")
    with pytest.raises(ConfigurationError, match="does not have"):
        Catalogue.of([base, RulePack(id="c", title="c", base="a", deleted=("nope",))]).rules("c")
