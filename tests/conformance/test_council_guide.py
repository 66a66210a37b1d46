"""The council guide's example profile is a valid profile that resolves against the built-in packs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conformance.catalogue import builtin_catalogue
from conformance.profile import Profile

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "councils" / "README.md"


def test_the_guides_example_profile_resolves() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    profile = Profile.from_mapping(yaml.safe_load(blocks[0]), "guide")
    resolved = profile.resolve(builtin_catalogue())
    severities = {active.rule.id: active.severity for active in resolved.active}
    assert severities["ics-1b/possible-duplicate"] == "error"
    assert severities["ics-1b/postcode-valid"] == "information"
    assert [rule.id for rule, _ in resolved.disabled] == ["ics-1b/assessment-timescale"]
