"""The synthetic generator: deterministic, valid identifiers, traits that tell the truth, clean mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ics_xml.synthetic import REFERENCE_DAY, TRAITS, generate_children, main, synthetic_message
from gateway import Assessment, ChildRecord
from gateway.identifiers import (
    is_valid_la_child_id,
    is_valid_nhs_number,
    is_valid_uk_postcode,
    is_valid_upn,
    upn_la_number_recognised,
)
from tests.adapters.ics_xml.helpers import read_document

ANOMALIES = {
    "nhs-number-invalid",
    "sensitive-without-consent",
    "assessment-completed-unseen",
    "assessment-seen-outside-window",
}


@pytest.fixture(scope="module")
def children() -> list:  # type: ignore[type-arg]
    return list(generate_children(300, seed=11))


def test_output_is_deterministic_and_child_n_does_not_depend_on_the_count() -> None:
    assert synthetic_message(5, seed=4) == synthetic_message(5, seed=4)
    assert synthetic_message(5, seed=4) != synthetic_message(5, seed=5)
    assert [c.record for c in generate_children(3, seed=4)] == [c.record for c in generate_children(8, seed=4)][:3]


def test_identifiers_are_valid_and_synthetic(children: list) -> None:  # type: ignore[type-arg]
    for generated in children:
        child = generated.record.child
        assert is_valid_la_child_id(child.local_ids[0].la_child_id)
        if child.nhs_number is not None:
            assert child.nhs_number.startswith("999")  # the never-issued range
            assert is_valid_nhs_number(child.nhs_number) is ("nhs-number-invalid" not in generated.traits)
        if child.upn is not None:
            assert is_valid_upn(child.upn) and upn_la_number_recognised(child.upn)
        else:
            assert child.upn_unknown_reason in ("UN1", "UN6")
        for address in child.addresses + tuple(a for carer in generated.record.carers for a in carer.addresses):
            assert address.postcode is not None and is_valid_uk_postcode(address.postcode)
        for contact in child.contacts:
            assert contact.value.startswith("07700 900")


def _seen_in_window(assessment: Assessment) -> bool:
    start, end = assessment.start_date, assessment.completed_date
    assert start is not None and end is not None
    return any(start <= seen <= end for seen in assessment.child_seen_dates)


def _check_traits(record: ChildRecord, traits: frozenset[str]) -> None:
    child = record.child
    assert ("shielded" in traits) is child.shielded
    assert ("unborn" in traits) is (child.expected_birth_date is not None and child.birth_date is None)
    assert ("no-known-address" in traits) is child.no_known_address
    completed = [a for a in record.assessments if a.completed_date is not None]
    assert ("assessment-open" in traits) is any(a.completed_date is None for a in record.assessments)
    assert ("assessment-completed-unseen" in traits) is any(not a.child_seen_dates for a in completed)
    assert ("assessment-seen-outside-window" in traits) is any(
        a.child_seen_dates and not _seen_in_window(a) for a in completed
    )
    assert ("assessment-seen-in-window" in traits) is any(_seen_in_window(a) for a in completed if a.child_seen_dates)
    consent_ids = {consent.consent_id for consent in record.consents}
    sensitive = [i for i in record.involvements if i.sensitive_category]
    assert ("sensitive-with-consent" in traits) is any(i.consent_id in consent_ids for i in sensitive)
    assert ("sensitive-with-safeguarding-reason" in traits) is any(i.safeguarding_reason for i in sensitive)
    assert ("sensitive-without-consent" in traits) is any(
        not i.consent_id and not i.safeguarding_reason for i in sensitive
    )
    caf_consents = [consent for caf in record.caf_assessments for consent in caf.consents]
    assert ("caf-consent-withdrawn" in traits) is any(c.withdrawn_at is not None for c in caf_consents)
    assert ("caf-consent-active" in traits) is any(c.withdrawn_at is None for c in caf_consents)
    assert ("child-protection-plan" in traits) is bool(record.child_protection_plans)
    assert ("section-47" in traits) is bool(record.section47_enquiries)


def test_traits_tell_the_truth_and_every_trait_occurs(children: list) -> None:  # type: ignore[type-arg]
    for generated in children:
        assert generated.traits <= set(TRAITS)
        _check_traits(generated.record, generated.traits)
    assert set().union(*(generated.traits for generated in children)) == set(TRAITS)


def test_recorded_events_are_not_in_the_future(children: list) -> None:  # type: ignore[type-arg]
    for generated in children:
        record = generated.record
        past = [record.child.birth_date]
        for a in record.assessments:
            past += [a.start_date, a.completed_date, a.authorised_date, *a.child_seen_dates]
        past += [p.start_date for p in record.child_protection_plans + record.cin_plans]
        past += [c.completed_date for c in record.caf_assessments]
        assert all(day <= REFERENCE_DAY for day in past if day is not None)


def test_clean_mode_keeps_every_rule() -> None:
    traits = set().union(*(generated.traits for generated in generate_children(300, seed=11, anomalies=False)))
    assert not traits & ANOMALIES
    assert {"shielded", "caf-consent-withdrawn", "sensitive-with-consent", "assessment-seen-in-window"} <= traits


def test_messages_read_back_without_issues_and_the_command_line_writes_one(tmp_path: Path) -> None:
    outcome = read_document(synthetic_message(25, seed=2, la_code="202"))
    assert outcome.issues == [] and len(outcome.records) == 25 and outcome.headers[0].la_code == "202"
    target = tmp_path / "sample.xml"
    assert main(["--children", "3", "--seed", "9", "--clean", "--output", str(target)]) == 0
    assert target.read_bytes() == synthetic_message(3, seed=9, anomalies=False)


SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "ics-xml"


def test_the_demo_samples_are_what_their_readme_says() -> None:
    practice = (SAMPLES / "practice-records.xml").read_bytes()
    assert practice == synthetic_message(15, seed=67), "regenerate: see samples/ics-xml/README.md"
    assert read_document(practice).issues == []
    broken = read_document((SAMPLES / "broken.xml").read_bytes())
    assert [record.child.local_ids[0].la_child_id for record in broken.records] == ["BRK0001"]
    assert {issue.child for issue in broken.errors} == {"BRK0002", "BRK0003"}
    assert "read/schema-location-ignored" in broken.rules()
    for issue in broken.issues:
        for value in ("999 000 0026", "11/02/2016", "Male", "White British", "2025-05-12 10:00", "Ben"):
            assert value not in issue.message
