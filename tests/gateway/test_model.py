"""The canonical model: invalid content is representable, shape is enforced, instances are frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from gateway import (
    SCHEMA_VERSION,
    Assessment,
    CafAssessment,
    CafDomain,
    CafDomains,
    CanonicalMessage,
    Child,
    ChildRecord,
    Consent,
    Envelope,
    Issue,
    LocalId,
    PersonName,
)
from gateway.codes import census_gender_for_sex, sex_from_census_gender

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _envelope(**overrides: object) -> Envelope:
    fields: dict[str, object] = {
        "message_id": "m-1",
        "supplier_id": "acme",
        "la_code": "201",
        "format_id": "cin-census-xml",
        "received_at": NOW,
        "payload_sha256": "0" * 64,
    }
    fields.update(overrides)
    return Envelope.model_validate(fields)


def test_invalid_identifier_content_is_representable() -> None:
    child = Child(nhs_number="9912003890", upn="Q207000016049", local_ids=(LocalId(la_code="201", la_child_id="x-1"),))
    assert child.nhs_number == "9912003890"
    assert child.upn == "Q207000016049"
    assert child.local_ids[0].la_child_id == "x-1"


def test_shape_is_enforced() -> None:
    with pytest.raises(ValidationError):
        Child.model_validate({"sex": "X"})
    with pytest.raises(ValidationError):
        Child.model_validate({"birth_date": "2014-02-30"})
    with pytest.raises(ValidationError):
        Child.model_validate({"nickname": "unknown field"})
    with pytest.raises(ValidationError):
        _envelope(la_code="20")
    with pytest.raises(ValidationError):
        _envelope(received_at=datetime(2026, 1, 1))  # naive datetimes are refused


def test_models_are_frozen() -> None:
    child = Child(sex="F")
    with pytest.raises(ValidationError):
        child.sex = "M"  # type: ignore[misc]


@pytest.mark.parametrize(("code", "sex"), [("1", "M"), ("2", "F"), ("0", "U"), ("9", "U")])
def test_census_gender_maps_to_sex(code: str, sex: str) -> None:
    assert sex_from_census_gender(code) == sex


def test_unknown_census_gender_is_not_silently_defaulted() -> None:
    assert sex_from_census_gender("3") is None
    assert sex_from_census_gender("M") is None


def test_sex_maps_back_to_census_gender() -> None:
    assert [census_gender_for_sex(s) for s in ("M", "F", "U")] == ["1", "2", "0"]


def test_usual_name_prefers_usual_use() -> None:
    child = Child(names=(PersonName(use="former", family="Old"), PersonName(use="usual", family="New")))
    assert child.usual_name() == PersonName(use="usual", family="New")
    assert Child(names=(PersonName(use="alias", family="A"),)).usual_name() == PersonName(use="alias", family="A")
    assert Child().usual_name() is None


def test_consent_activity_and_scope() -> None:
    consent = Consent(
        consent_id="c1",
        given_by_role="parent",
        scope=("ODS1", "URN2"),
        given_at=NOW,
        withdrawn_at=NOW + timedelta(days=3),
    )
    assert not consent.is_active(NOW - timedelta(seconds=1))
    assert consent.is_active(NOW)
    assert consent.covers("ODS1", NOW + timedelta(days=1))
    assert not consent.covers("OTHER", NOW + timedelta(days=1))
    assert not consent.covers("ODS1", NOW + timedelta(days=3))  # withdrawal stops sharing at once


def test_caf_domains_and_active_consents() -> None:
    caf = CafAssessment(
        caf_id="caf-1",
        domains=CafDomains(development_of_child=CafDomain(needs=("speech",))),
        consents=(
            Consent(consent_id="a", given_by_role="child", given_at=NOW),
            Consent(consent_id="b", given_by_role="carer", given_at=NOW, withdrawn_at=NOW + timedelta(hours=1)),
        ),
    )
    assert caf.domains.development_of_child.is_recorded()
    assert not caf.domains.parents_and_carers.is_recorded()
    assert [c.consent_id for c in caf.active_consents(NOW + timedelta(hours=2))] == ["a"]


def test_message_round_trips_through_json_and_reports_errors() -> None:
    record = ChildRecord(
        child=Child(birth_date=date(2015, 1, 1)),
        assessments=(
            Assessment(assessment_id="a1", start_date=date(2025, 1, 1), child_seen_dates=(date(2025, 1, 2),)),
        ),
    )
    issue = Issue(rule="ics-1b/x", severity="error", message="m")
    message = CanonicalMessage(envelope=_envelope(), records=(record,), issues=(issue,))
    assert message.schema_version == SCHEMA_VERSION
    assert CanonicalMessage.model_validate_json(message.model_dump_json()) == message
    assert message.has_errors()
    assert not message.model_copy(update={"issues": ()}).has_errors()


def test_a_message_of_an_earlier_minor_version_is_still_read_and_an_unknown_version_is_not() -> None:
    """Messages stored or sent as canonical 1.0 (before 1.1 added the looked-after parts) stay readable."""
    written = CanonicalMessage(envelope=_envelope()).model_dump(mode="json")
    assert written["schema_version"] == SCHEMA_VERSION == "1.1"
    older = CanonicalMessage.model_validate({**written, "schema_version": "1.0"})
    assert older.schema_version == "1.0" and older.envelope == _envelope()
    with pytest.raises(ValidationError):
        CanonicalMessage.model_validate({**written, "schema_version": "2.0"})


def test_received_day_is_utc() -> None:
    late_evening_in_utc_minus_5 = datetime(2026, 11, 25, 23, 30, tzinfo=UTC) + timedelta(hours=1)
    assert _envelope(received_at=late_evening_in_utc_minus_5).received_day() == "2026-11-26"
