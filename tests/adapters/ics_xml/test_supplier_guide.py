"""The supplier guide (docs/suppliers/ics-xml.md): its complete example is valid and reads as it says; it names
every element and attribute of the schema, and only those."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from adapters._xml import parse_hardened
from adapters.ics_xml.schema import ics_schema
from tests.adapters.ics_xml.helpers import read_document

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "suppliers" / "ics-xml.md"


def _complete_example() -> bytes:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Complete example", 1)[1]
    match = re.search(r"```xml\n(.*?)```", section, re.DOTALL)
    assert match, "the guide's complete example is missing"
    return match.group(1).encode("utf-8")


def test_the_complete_example_is_schema_valid_and_reads_without_issues() -> None:
    example = _complete_example()
    assert ics_schema().validator.validate(parse_hardened(example))
    outcome = read_document(example, names=("example.xml",))
    assert outcome.issues == []
    assert outcome.headers[0].la_code == "201"
    assert [r.child.local_ids[0].la_child_id for r in outcome.records] == ["NB000123", "NB000124"]


def test_the_complete_example_says_what_the_guide_says_it_does() -> None:
    first, unborn = read_document(_complete_example()).records
    initial, core = first.assessments
    assert initial.kind == "initial" and initial.child_seen_dates == (date(2025, 9, 2), date(2025, 9, 5))
    assert initial.start_date and initial.completed_date
    assert all(initial.start_date <= seen <= initial.completed_date for seen in initial.child_seen_dates)
    assert core.completed_date is None and core.child_seen_known
    camhs, sexual_health = (i for i in first.involvements if i.sensitive_category)
    assert camhs.sensitive_category == "mental_health"
    assert camhs.consent_id in {consent.consent_id for consent in first.consents}
    assert sexual_health.consent_id is None and sexual_health.safeguarding_reason
    caf = first.caf_assessments[0]
    assert caf.domains.development_of_child.is_recorded() and caf.domains.family_and_environment.is_recorded()
    now = datetime(2026, 1, 15, tzinfo=UTC)
    assert [consent.consent_id for consent in caf.active_consents(now)] == ["K-3"]
    withdrawn = caf.consents[0]
    assert withdrawn.withdrawn_at is not None and not withdrawn.covers("RX456", now)
    assert caf.consents[1].covers("123456", now)
    assert first.child_protection_plans[0].initial_category == "NEG"
    assert unborn.child.expected_birth_date and unborn.child.birth_date is None
    assert unborn.child.upn_unknown_reason == "UN6" and unborn.child.shielded


def _declared() -> tuple[set[str], set[str]]:
    xsd = ics_schema().source_text.decode()
    elements = set(re.findall(r'<xs:element name="([A-Za-z0-9]+)"', xsd))
    attributes = set(re.findall(r'<xs:attribute name="([A-Za-z0-9]+)"', xsd))
    return elements, attributes


def test_the_guide_names_every_element_and_attribute_of_the_schema_and_no_other() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    elements, attributes = _declared()
    assert len(elements) > 50 and attributes, "the schema's declarations were not found"
    tags = set(re.findall(r"<([A-Z][A-Za-z0-9]*)[\s>/]", text))
    assert elements - tags == set(), "elements the guide does not describe"
    assert tags - elements == set(), "elements the guide names that the schema does not have"
    for attribute in attributes:
        assert f"{attribute}=" in text or f"`{attribute}`" in text, attribute
