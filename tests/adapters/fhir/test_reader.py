"""The FHIR reader's mapping rules, one behaviour at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.fhir.reader import FhirReader
from adapters.fhir.systems import (
    ASSESSMENT_ID_SYSTEM,
    ASSESSMENT_KIND_SYSTEM,
    CAF_QUESTIONNAIRE,
    DFE_ETHNICITY,
    ETHNIC_CATEGORY_EXTENSION,
    LA_CHILD_ID_SYSTEM_PREFIX,
    NHS_ETHNIC_CATEGORY,
    NHS_NUMBER_SYSTEM,
)
from gateway import SourceFile
from tests.adapters.fhir.reading import bundle, read_data, read_sources

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "identifier": [{"system": f"{LA_CHILD_ID_SYSTEM_PREFIX}201", "value": "LC1"}],
}
SUBJECT = {"reference": "urn:uuid:r0"}


def _ethnicity(*codings: dict[str, str]) -> dict[str, Any]:
    return {
        **PATIENT,
        "extension": [{"url": ETHNIC_CATEGORY_EXTENSION, "valueCodeableConcept": {"coding": list(codings)}}],
    }


def _encounter(**fields: Any) -> dict[str, Any]:
    return {"resourceType": "Encounter", "status": "finished", "class": {"code": "HH"}, "subject": SUBJECT, **fields}


def _assessment(assessment_id: str = "A1", **fields: Any) -> dict[str, Any]:
    return _encounter(
        identifier=[{"system": ASSESSMENT_ID_SYSTEM, "value": assessment_id}],
        type=[{"coding": [{"system": ASSESSMENT_KIND_SYSTEM, "code": "single"}]}],
        period={"start": "2024-01-01", "end": "2024-01-20"},
        **fields,
    )


def _consent(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Consent",
        "status": "active",
        "scope": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": SUBJECT,
        "performer": [SUBJECT],
        "dateTime": "2024-01-05T09:30:00+00:00",
        **fields,
    }


# --- Patient -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("gender", "sex"), [("male", "M"), ("female", "F"), ("other", "U"), ("unknown", "U")])
def test_gender_codes_map_to_sex(gender: str, sex: str) -> None:
    assert read_data(bundle({**PATIENT, "gender": gender})).records[0].child.sex == sex


@pytest.mark.parametrize("gender", ["f", "Female", "M"])
def test_gender_outside_the_value_set_is_an_error_not_a_default(gender: str) -> None:
    result = read_data(bundle({**PATIENT, "gender": gender}))
    assert result.records[0].child.sex is None
    issue = result.issue("map/fhir/code-unmapped")
    assert issue.severity == "error"
    assert issue.child == "LC1"
    assert issue.location is not None and issue.location.path == "/entry/0/resource/gender"


def test_nhs_ethnic_category_is_mapped_to_the_dfe_code() -> None:
    result = read_data(bundle(_ethnicity({"system": NHS_ETHNIC_CATEGORY, "code": "Z"})))
    ethnicity = result.records[0].child.ethnicity
    assert ethnicity is not None and (ethnicity.system, ethnicity.code) == (DFE_ETHNICITY, "REFU")


def test_a_dfe_ethnicity_coding_is_preferred_to_the_nhs_one() -> None:
    coded = _ethnicity({"system": NHS_ETHNIC_CATEGORY, "code": "C"}, {"system": DFE_ETHNICITY, "code": "WROM"})
    ethnicity = read_data(bundle(coded)).records[0].child.ethnicity
    assert ethnicity is not None and ethnicity.code == "WROM"


def test_unmapped_ethnic_category_is_a_warning_naming_the_code() -> None:
    result = read_data(bundle(_ethnicity({"system": NHS_ETHNIC_CATEGORY, "code": "Q"})))
    assert result.records[0].child.ethnicity is None
    issue = result.issue("map/fhir/code-unmapped")
    assert issue.severity == "warning"
    assert "'Q'" in issue.message


def test_ethnicity_from_another_code_system_is_reported() -> None:
    result = read_data(bundle(_ethnicity({"system": "http://snomed.info/sct", "code": "976631000000101"})))
    assert result.records[0].child.ethnicity is None
    assert result.issue("map/fhir/code-system").severity == "warning"


def test_partial_birth_date_is_not_carried() -> None:
    result = read_data(bundle({**PATIENT, "birthDate": "2019-07"}))
    assert result.records[0].child.birth_date is None
    assert result.issue("map/fhir/partial-date").location is not None


def test_identifiers_and_names() -> None:
    patient = {
        **PATIENT,
        "identifier": [
            *PATIENT["identifier"],
            {"system": NHS_NUMBER_SYSTEM, "value": "943 476 5919"},
            {"system": NHS_NUMBER_SYSTEM, "value": "9912003890"},
            {"system": "https://www.gov.uk/government/publications/unique-pupil-numbers", "value": "A950000178301"},
            {
                "use": "old",
                "system": "https://www.gov.uk/government/publications/unique-pupil-numbers",
                "value": "X00180001701A",
            },
        ],
        "name": [
            {"use": "official", "family": "A", "given": ["B"]},
            {"use": "old", "family": "C"},
            {"use": "temp", "given": ["D"]},
        ],
        "deceasedDateTime": "2024-02-03T10:00:00+00:00",
    }
    result = read_data(bundle(patient))
    child = result.records[0].child
    assert child.nhs_number == "943 476 5919"  # as sent; normalising and checking is conformance's job
    assert child.upn == "A950000178301"
    assert child.former_upns == ("X00180001701A",)
    assert [name.use for name in child.names] == ["usual", "former", "alias"]
    assert child.death_date == date(2024, 2, 3)
    assert result.rules() == ["map/fhir/nhs-number-repeated"]


def test_gp_by_logical_ods_reference_and_restricted_record() -> None:
    patient = {
        **PATIENT,
        "meta": {"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "V"}]},
        "generalPractitioner": [
            {
                "identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B86001"},
                "display": "Surgery",
            }
        ],
    }
    child = read_data(bundle(patient)).records[0].child
    assert child.shielded is True
    assert child.gp_practice is not None
    assert (child.gp_practice.code, child.gp_practice.code_system, child.gp_practice.kind) == (
        "B86001",
        "ods",
        "gp-practice",
    )


# --- Encounters: how child-seen dates attach to assessments ---------------------------------------------


def test_visits_part_of_an_assessment_give_its_child_seen_dates() -> None:
    result = read_data(
        bundle(
            PATIENT,
            _assessment(),
            _encounter(period={"start": "2024-01-09T10:00:00+00:00"}, partOf={"reference": "urn:uuid:r1"}),
            _encounter(
                period={"start": "2024-01-03"}, partOf={"identifier": {"system": ASSESSMENT_ID_SYSTEM, "value": "A1"}}
            ),
            _encounter(status="planned", period={"start": "2024-01-15"}, partOf={"reference": "urn:uuid:r1"}),
            _encounter(status="cancelled", period={"start": "2024-01-16"}, partOf={"reference": "urn:uuid:r1"}),
        )
    )
    (assessment,) = result.records[0].assessments
    assert assessment.assessment_id == "A1"
    assert assessment.child_seen_dates == (date(2024, 1, 3), date(2024, 1, 9))
    assert assessment.completed_date == date(2024, 1, 20)
    assert assessment.child_seen_known is True
    assert result.issues == []
    lineage = {source.field: source.source.path for source in result.records[0].lineage}
    assert lineage["/assessments/0/child_seen_dates/0"] == "/entry/3/resource/period/start"


def test_encounter_with_no_assessment_link_is_an_error() -> None:
    result = read_data(bundle(PATIENT, _encounter(period={"start": "2024-01-03"})))
    assert result.records[0].assessments == ()
    issue = result.issue("map/fhir/encounter-unlinked")
    assert issue.severity == "error"
    assert issue.location is not None and issue.location.path == "/entry/1/resource"


def test_visit_linked_only_logically_creates_the_assessment_with_its_seen_date() -> None:
    visit = _encounter(
        period={"start": "2024-01-03"}, partOf={"identifier": {"system": ASSESSMENT_ID_SYSTEM, "value": "X9"}}
    )
    (assessment,) = read_data(bundle(PATIENT, visit)).records[0].assessments
    assert (assessment.assessment_id, assessment.child_seen_dates) == ("X9", (date(2024, 1, 3),))


def test_visit_with_unknown_status_is_not_a_seen_date() -> None:
    result = read_data(
        bundle(
            PATIENT,
            _assessment(),
            _encounter(status="unknown", period={"start": "2024-01-03"}, partOf={"reference": "urn:uuid:r1"}),
        )
    )
    assert result.records[0].assessments[0].child_seen_dates == ()
    assert result.issue("map/fhir/encounter-status").severity == "warning"


def test_visit_of_another_childs_assessment_is_not_attached() -> None:
    other = {**PATIENT, "identifier": [{"system": f"{LA_CHILD_ID_SYSTEM_PREFIX}201", "value": "LC2"}]}
    other_assessment = _assessment("B1", subject={"reference": "urn:uuid:r1"})
    visit = _encounter(period={"start": "2024-01-03"}, partOf={"reference": "urn:uuid:r2"})
    result = read_data(bundle(PATIENT, other, other_assessment, visit))
    assert result.issue("map/fhir/encounter-unlinked").child == "LC1"
    assert result.records[1].assessments[0].child_seen_dates == ()


# --- CAF and consent ---------------------------------------------------------------------------------------


def _caf(**fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "caf-1",
        "questionnaire": CAF_QUESTIONNAIRE,
        "status": "in-progress",
        "subject": SUBJECT,
        "item": [
            {"linkId": "parents-and-carers", "item": [{"linkId": "needs", "answer": [{"valueString": "Housing"}]}]},
            {"linkId": "review-date", "answer": [{"valueDate": "2024-06-01"}]},
        ],
        **fields,
    }


def test_caf_with_its_consent() -> None:
    consent = _consent(provision={"data": [{"meaning": "instance", "reference": {"reference": "urn:uuid:r1"}}]})
    result = read_data(bundle(PATIENT, _caf(), consent))
    (caf,) = result.records[0].caf_assessments
    assert (caf.caf_id, caf.status, caf.review_date) == ("caf-1", "draft", date(2024, 6, 1))
    assert caf.domains.parents_and_carers.needs == ("Housing",)
    (given,) = caf.consents
    assert given.given_by_role == "child"
    assert given.purpose == "caf_sharing"
    assert given.given_at == datetime(2024, 1, 5, 9, 30, tzinfo=UTC)
    assert result.records[0].consents == ()


def test_withdrawn_consent_carries_its_withdrawal_time() -> None:
    consent = _consent(status="inactive", provision={"period": {"start": "2024-01-05", "end": "2024-03-01T12:00:00Z"}})
    (given,) = read_data(bundle(PATIENT, consent)).records[0].consents
    assert given.withdrawn_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert not given.is_active(datetime(2024, 3, 2, tzinfo=UTC))
    assert given.is_active(datetime(2024, 2, 1, tzinfo=UTC))


def test_withdrawn_consent_without_a_date_is_never_active() -> None:
    result = read_data(bundle(PATIENT, _consent(status="rejected")))
    (given,) = result.records[0].consents
    assert given.withdrawn_at == given.given_at
    assert not given.is_active(datetime(2030, 1, 1, tzinfo=UTC))
    assert result.issue("map/fhir/withdrawal-date-missing").severity == "warning"


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"status": "draft"}, "map/fhir/consent-not-given"),
        ({"provision": {"type": "deny"}}, "map/fhir/consent-deny"),
        ({"performer": [{"reference": "Organization/x"}]}, "map/fhir/consent-giver"),
        ({"dateTime": None}, "map/fhir/consent-date-missing"),
    ],
)
def test_consents_that_cannot_be_carried_are_reported(fields: dict[str, Any], rule: str) -> None:
    consent = {key: value for key, value in _consent(**fields).items() if value is not None}
    result = read_data(bundle(PATIENT, consent))
    assert result.records[0].consents == ()
    assert rule in result.rules()


def test_other_questionnaires_are_not_cafs() -> None:
    result = read_data(bundle(PATIENT, _caf(questionnaire="https://example.org/Questionnaire/x")))
    assert result.records[0].caf_assessments == ()
    assert result.issue("map/fhir/questionnaire-not-caf").severity == "information"


# --- validation, isolation, privacy ------------------------------------------------------------------------


def test_invalid_resource_is_dropped_and_the_rest_of_the_bundle_maps() -> None:
    result = read_data(bundle(PATIENT, {"resourceType": "Patient", "birthDate": "2020-02-30x"}))
    assert len(result.records) == 1
    issue = result.issue("read/fhir-invalid/value_error")
    assert issue.location is not None
    assert issue.location.path == "/entry/1/resource/birthDate"
    assert issue.location.line == 1


def test_nul_in_one_resource_drops_only_that_resource() -> None:
    carer = {"resourceType": "RelatedPerson", "patient": SUBJECT, "name": [{"family": "A\u0000B"}]}
    result = read_data(bundle(PATIENT, carer))
    assert result.records[0].carers == ()
    assert result.issue("read/json-control-character").location is not None


def test_issue_messages_never_echo_personal_data() -> None:
    private_value = "Zebedee-Private"
    patient = {
        "resourceType": "Patient",
        "name": [{"text": private_value}],
        "gender": private_value,
        "birthDate": private_value,
        "identifier": [{"system": f"{LA_CHILD_ID_SYSTEM_PREFIX}9", "value": private_value}],
    }
    visit = _encounter(partOf={"reference": private_value}, period={"start": private_value})
    result = read_data(bundle(patient, visit, {"resourceType": "Patient", private_value: 1}))
    assert result.issues
    for issue in result.issues:
        assert private_value not in issue.message
        assert private_value.lower() not in issue.message.lower()


def test_files_of_one_submission_share_references() -> None:
    patient = {**PATIENT, "id": "p1"}
    carer = {"resourceType": "RelatedPerson", "patient": {"reference": "Patient/p1"}, "name": [{"family": "K"}]}
    result = read_sources(
        [SourceFile(name="patient.json", data=_json(patient)), SourceFile(name="carer.json", data=_json(carer))]
    )
    assert len(result.records[0].carers) == 1
    assert result.records[0].lineage[-1].source.file == "carer.json"


def test_sniff_recognises_fhir_json_only() -> None:
    reader = FhirReader()
    assert reader.sniff("x.json", b'{\n  "resourceType": "Bundle"')
    assert reader.sniff("x.json", b'\xef\xbb\xbf{"resourceType": "Patient"}')
    assert not reader.sniff("x.json", b'{"la_code": 201, "Children": []}')
    assert not reader.sniff("x.xml", b'<Patient xmlns="http://hl7.org/fhir"/>')


def _json(value: dict[str, Any]) -> bytes:
    import orjson  # noqa: PLC0415

    return orjson.dumps(value)
