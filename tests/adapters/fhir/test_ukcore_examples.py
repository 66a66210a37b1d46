"""Every UK Core example the adapter maps (Patients, RelatedPerson, CareTeam) converts.

The examples are the published UK Core XML examples converted to JSON (tests/fixtures/fhir-r4-json/ukcore).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import PersonName
from gateway.identifiers import is_valid_nhs_number
from tests.adapters.fhir.reading import UKCORE, read_paths

PATIENT_EXAMPLES = sorted(
    path for path in UKCORE.glob("*.json") if '"resourceType": "Patient"' in path.read_text(encoding="utf-8")
)


def test_the_examples_folder_holds_the_nine_patient_examples() -> None:
    assert len(PATIENT_EXAMPLES) == 9


@pytest.mark.parametrize("path", PATIENT_EXAMPLES, ids=lambda path: path.stem)
def test_each_patient_example_converts_alone_without_errors(path: Path) -> None:
    result = read_paths([path])
    assert len(result.records) == 1
    assert not [issue for issue in result.issues if issue.severity == "error"]
    assert result.headers[0].format_id == "fhir-r4-json"


def test_baby_example_carries_its_invalid_nhs_number() -> None:
    result = read_paths([UKCORE / "UKCore-Patient-BabyPatient-Example.json"])
    child = result.records[0].child
    assert child.nhs_number == "9912003890"
    assert not is_valid_nhs_number(child.nhs_number)  # carried, for conformance to flag
    assert child.nhs_number_verification == "01"
    assert child.names == (PersonName(use="usual", given=("Melanie",), family="JONES"),)
    assert child.sex == "F"
    assert child.birth_date is not None and child.birth_date.isoformat() == "2021-02-11"
    assert child.ethnicity is not None and child.ethnicity.code == "WBRI"
    assert child.addresses[0].postcode == "LS8 3DR"
    assert child.contacts[0].value == "01131231266"
    assert not result.issues


def test_richard_smith_with_his_related_person_and_care_team() -> None:
    result = read_paths(
        [
            UKCORE / "UKCore-Patient-RichardSmith-Example.json",
            UKCORE / "UKCore-RelatedPerson-JoySmith-Example.json",
            UKCORE / "UKCore-CareTeam-WeightManagementTeam-Example.json",
        ]
    )
    (record,) = result.records
    assert record.child.nhs_number == "9912003888"
    assert record.child.ethnicity is not None and record.child.ethnicity.code == "MOTH"  # NHS "G"
    joy, contact = record.carers
    assert joy.relationship == "spouse"  # v3 RoleCode WIFE
    assert joy.carer_id == "UKCore-RelatedPerson-JoySmith-Example"
    assert joy.names[0].family == "SMITH"
    assert contact.names[0].given == ("Jane",)  # Patient.contact
    assert contact.relationship is None  # UK Core "Personal" says nothing about caring
    assert contact.contacts[0].use == "mobile"
    (team,) = record.involvements
    assert team.service_type == "Weight management team"
    assert team.involvement_id == "UKCore-CareTeam-WeightManagementTeam-Example"
    # The referenced Practitioner and Organization are not in the submission: said, not guessed.
    assert sorted(result.rules()) == [
        "map/fhir/code-unmapped",
        "map/fhir/reference-not-in-submission",
        "map/fhir/reference-not-in-submission",
    ]
    assert {field.field for field in record.lineage} >= {
        "/child/nhs_number",
        "/carers/0/relationship",
        "/involvements/0/service_type",
    }


def test_related_person_without_its_patient_is_an_issue_not_a_crash() -> None:
    result = read_paths([UKCORE / "UKCore-RelatedPerson-JoySmith-Example.json"])
    assert result.records == []
    issue = result.issue("map/fhir/subject-unresolved")
    assert issue.severity == "error"
    assert issue.location is not None
    assert issue.location.file == "UKCore-RelatedPerson-JoySmith-Example.json"
    assert issue.location.path == "/patient"
    assert issue.location.line is not None


def test_flag_example_is_reported_as_not_mapped() -> None:
    result = read_paths([UKCORE / "UKCore-Flag-FoodAllergy-Example.json"])
    assert result.records == []
    assert result.issue("map/fhir/resource-not-mapped").severity == "information"


def test_verification_status_without_a_number_is_kept() -> None:
    result = read_paths([UKCORE / "Extension-UKCore-NHSNumberVerificationStatus-Example.json"])
    child = result.records[0].child
    assert child.nhs_number is None
    assert child.nhs_number_verification == "01"
