"""A hostile-input corpus for the FHIR reader: each file is refused or read with a clear, located issue."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from adapters.fhir.reader import FhirReader
from gateway import SourceFile
from tests.adapters.fhir.reading import bundle, read_data, read_sources

PATIENT = b'{"resourceType": "Patient", "name": [{"family": "Brook"}]}'


def _nested_extensions(depth: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "https://example.org/leaf", "valueString": "x"}
    for _ in range(depth):
        extension = {"url": "https://example.org/nest", "extension": [extension]}
    return {"resourceType": "Patient", "extension": [extension]}


HOSTILE: dict[str, tuple[bytes, str]] = {
    "deep-array": (b"[" * 100_000 + b"]" * 100_000, "read/json-depth"),
    "deep-object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "read/json-depth"),
    "deep-extensions": (orjson.dumps(_nested_extensions(40)), "read/json-depth"),
    "nan": (b'{"resourceType": "Patient", "multipleBirthInteger": NaN}', "read/json-number"),
    "infinity": (b'{"resourceType": "Patient", "multipleBirthInteger": Infinity}', "read/json-number"),
    "huge-integer": (b'{"resourceType": "Patient", "multipleBirthInteger": ' + b"7" * 4000 + b"}", "read/json-number"),
    "huge-float": (b'{"resourceType": "Observation", "valueQuantity": {"value": 1e999}}', "read/json-number"),
    "duplicate-key": (b'{"resourceType": "Patient", "gender": "male", "gender": "female"}', "read/json-duplicate-key"),
    "duplicate-key-in-entry": (
        b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient",'
        b' "birthDate": "2020-01-01", "birthDate": "2021-01-01"}}]}',
        "read/json-duplicate-key",
    ),
    "nul-in-string": (b'{"resourceType": "Patient", "name": [{"family": "A\\u0000B"}]}', "read/json-control-character"),
    "lone-surrogate": (b'{"resourceType": "Patient", "name": [{"family": "\\udc00"}]}', "read/json-control-character"),
    "utf-16": (PATIENT.decode().encode("utf-16"), "read/encoding"),
    "utf-16-no-bom": (PATIENT.decode().encode("utf-16-le"), "read/encoding"),
    "utf-32": (PATIENT.decode().encode("utf-32"), "read/encoding"),
    "latin-1": ('{"resourceType": "Patient", "name": [{"family": "Brontë"}]}'.encode("latin-1"), "read/encoding"),
    "empty": (b"", "read/json-syntax"),
    "truncated": (PATIENT[:-5], "read/json-syntax"),
    "not-json": (b"<Patient xmlns='http://hl7.org/fhir'/>", "read/json-syntax"),
    "null": (b"null", "read/fhir-not-a-resource"),
    "array": (b"[]", "read/fhir-not-a-resource"),
    "no-resource-type": (b'{"name": "Brook"}', "read/fhir-not-a-resource"),
    "resource-type-not-a-string": (b'{"resourceType": {"$ne": 1}}', "read/fhir-not-a-resource"),
    "entry-not-a-list": (
        b'{"resourceType": "Bundle", "type": "collection", "entry": {"a": 1}}',
        "read/fhir-invalid/list_type",
    ),
    "contained-unknown-type": (
        b'{"resourceType": "Patient", "contained": [{"resourceType": "Nope", "id": "x"}]}',
        "read/fhir-invalid",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_a_located_issue_and_no_record(name: str) -> None:
    data, rule = HOSTILE[name]
    result = read_data(data, name=f"{name}.json")
    assert result.records == []
    assert rule in result.rules(), result.rules()
    for issue in result.issues:
        assert issue.location is not None and issue.location.file == f"{name}.json"


def test_oversized_file_is_refused_without_reading_it_all() -> None:
    reader = FhirReader(max_bytes=1024)
    result = read_sources([SourceFile(name="big.json", data=b" " * 2048 + PATIENT)], reader)
    assert result.rules() == ["read/too-large"]


def test_utf8_bom_is_a_warning_and_the_file_still_reads() -> None:
    result = read_data(b"\xef\xbb\xbf" + PATIENT)
    assert len(result.records) == 1
    assert result.issue("read/encoding-bom").severity == "warning"


def test_a_large_text_node_is_read_in_one_piece() -> None:
    family = "B" * 5_000_000
    result = read_data(orjson.dumps({"resourceType": "Patient", "name": [{"family": family}]}))
    assert result.records[0].child.names[0].family == family


def test_reference_cycles_terminate() -> None:
    role = {
        "resourceType": "PractitionerRole",
        "practitioner": {"reference": "urn:uuid:r2"},
        "organization": {"reference": "urn:uuid:r2"},
    }
    looping = {
        "resourceType": "PractitionerRole",
        "practitioner": {"reference": "urn:uuid:r1"},
        "organization": {"reference": "urn:uuid:r1"},
    }
    team = {
        "resourceType": "CareTeam",
        "subject": {"reference": "urn:uuid:r0"},
        "name": "Team",
        "participant": [{"member": {"reference": "urn:uuid:r1"}}],
        "managingOrganization": [{"reference": "urn:uuid:r2"}],
    }
    result = read_data(bundle({"resourceType": "Patient"}, role, looping, team))
    (involvement,) = result.records[0].involvements
    assert involvement.service_type == "Team"


def test_reading_never_touches_the_network_or_other_files() -> None:
    """References to URLs and files are matched as text, never fetched."""
    carer = {"resourceType": "RelatedPerson", "patient": {"reference": "https://attacker.example/fhir/Patient/1"}}
    contained_file = {"resourceType": "RelatedPerson", "patient": {"reference": "file:///etc/passwd"}}
    result = read_data(bundle({"resourceType": "Patient", "id": "1"}, carer, contained_file))
    # Absolute references resolve only to an entry with exactly that fullUrl: both are external here.
    assert result.records[0].carers == ()
    assert result.rules() == ["map/fhir/subject-unresolved", "map/fhir/subject-unresolved"]
