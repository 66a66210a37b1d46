"""The FHIR writer: valid R4 Bundles (checked with fhir.resources R4B), UK Core systems, deterministic output."""

from __future__ import annotations

import random
import subprocess
import sys

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from adapters.fhir.synthetic import synthetic_bundles, synthetic_record
from adapters.fhir.systems import CAF_QUESTIONNAIRE, NHS_NUMBER_SYSTEM
from adapters.fhir.writer import FhirWriter
from gateway import Carer, Child, ChildRecord, Involvement, PersonName, Practitioner
from gateway.identifiers import is_valid_nhs_number
from gateway.plugins import load_registry
from gateway.resources import data_dir


def _resources(bundle: dict[str, object]) -> list[dict[str, object]]:
    return [entry["resource"] for entry in bundle["entry"]]  # type: ignore[index,union-attr]


def test_synthetic_bundles_are_valid_r4_with_valid_nhs_numbers() -> None:
    for data in synthetic_bundles(5, seed=11):
        Bundle.model_validate_json(data)
        patient = _resources(orjson.loads(data))[0]
        (nhs,) = [item for item in patient["identifier"] if item["system"] == NHS_NUMBER_SYSTEM]  # type: ignore[index,union-attr]
        assert is_valid_nhs_number(nhs["value"])


def test_synthetic_bundles_are_reproducible() -> None:
    assert list(synthetic_bundles(3, seed=5)) == list(synthetic_bundles(3, seed=5))
    assert list(synthetic_bundles(3, seed=5)) != list(synthetic_bundles(3, seed=6))


def test_output_is_deterministic_and_types_are_as_documented() -> None:
    records = [synthetic_record(random.Random(1), index) for index in range(2)]
    first = FhirWriter().write(records)
    assert first == FhirWriter().write(records)
    bundle = orjson.loads(first)
    assert bundle["type"] == "collection"
    assert all("request" not in entry for entry in bundle["entry"])
    types = [resource["resourceType"] for resource in _resources(bundle)]
    assert types[:7] == [
        "Patient", "RelatedPerson", "Encounter", "Encounter", "QuestionnaireResponse", "Consent", "Patient",
    ]  # fmt: skip
    questionnaire_responses = [
        resource for resource in _resources(bundle) if resource["resourceType"] == "QuestionnaireResponse"
    ]
    assert {resource["questionnaire"] for resource in questionnaire_responses} == {CAF_QUESTIONNAIRE}


def test_transaction_bundle_posts_every_entry() -> None:
    data = FhirWriter(bundle_type="transaction").write([synthetic_record(random.Random(1), 0)])
    Bundle.model_validate_json(data)
    bundle = orjson.loads(data)
    assert bundle["type"] == "transaction"
    assert {entry["request"]["method"] for entry in bundle["entry"]} == {"POST"}


def test_a_practitioner_used_twice_is_written_once() -> None:
    worker = Practitioner(practitioner_id="P1", name=PersonName(family="Greaves"))
    record = ChildRecord(
        child=Child(),
        involvements=(
            Involvement(service_type="social-care", practitioner=worker),
            Involvement(service_type="early-help", practitioner=worker),
        ),
    )
    resources = _resources(FhirWriter().to_bundle([record]))
    assert [resource["resourceType"] for resource in resources].count("Practitioner") == 1


def test_free_text_relationship_and_service_type_are_written_as_text() -> None:
    record = ChildRecord(
        child=Child(),
        carers=(Carer(relationship="family friend  "),),
        involvements=(Involvement(service_type=" school nurse"),),
    )
    data = FhirWriter().write([record])
    Bundle.model_validate_json(data)
    resources = _resources(orjson.loads(data))
    assert resources[1]["relationship"] == [{"text": "family friend  "}]
    assert resources[2]["category"][0] == {"text": " school nurse"}  # type: ignore[index]


def test_caf_questionnaire_is_published_and_valid() -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire  # noqa: PLC0415

    questionnaire = Questionnaire.model_validate_json(
        (data_dir("schemas") / "fhir" / "Questionnaire-caf.json").read_bytes()
    )
    assert questionnaire.url == CAF_QUESTIONNAIRE
    assert [item.linkId for item in questionnaire.item] == [
        "development-of-child", "parents-and-carers", "family-and-environment", "conclusions", "started-date",
        "completed-date", "review-date", "lead-professional", "action",
    ]  # fmt: skip


def test_plugin_registers_reader_and_writer_through_the_entry_point() -> None:
    registry = load_registry()
    assert registry.reader("fhir-r4-json") is not None
    assert "fhir-r4-json" in registry.writers
    assert registry.writers["fhir-r4-json"].media_type == "application/fhir+json"


@pytest.mark.parametrize(
    "code",
    [
        "import adapters.fhir",
        "import adapters.fhir, random; from adapters.fhir.synthetic import synthetic_bundle;"
        " synthetic_bundle(random.Random(1), 0)",
    ],
)
def test_importing_and_writing_do_not_load_fhir_resources(code: str) -> None:
    check = f"{code}; import sys; assert 'fhir.resources' not in sys.modules, 'fhir.resources was imported'"
    subprocess.run([sys.executable, "-c", check], check=True)
