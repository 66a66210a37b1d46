"""Canonical record -> FHIR resources (as dicts): Patient, RelatedPerson and CareTeam here; the case
resources (Encounter, QuestionnaireResponse, Consent) in :mod:`adapters.fhir.export_case`."""

from __future__ import annotations

from typing import Any

from adapters.fhir.bundling import BundleBuilder, fhir_code, human_name, telecom
from adapters.fhir.export_case import add_assessments, add_cafs
from adapters.fhir.systems import (
    ADDRESS_USE_EXTENSION,
    CARE_TEAM_ROLE_SYSTEM,
    CARER_ID_SYSTEM,
    CHILD_ID_SYSTEM,
    CONFIDENTIALITY_SYSTEM,
    CONSENT_ID_SYSTEM,
    CPIS_PLAN_TYPE_SYSTEM,
    DFE_ETHNICITY,
    ETHNIC_CATEGORY_EXTENSION,
    EXPECTED_BIRTH_DATE_EXTENSION,
    INVOLVEMENT_CONSENT_EXTENSION,
    INVOLVEMENT_ID_SYSTEM,
    LA_CHILD_ID_SYSTEM_PREFIX,
    LIVES_WITH_CHILD_EXTENSION,
    NHS_ETHNIC_CATEGORY,
    NHS_NUMBER_SYSTEM,
    NHS_NUMBER_VERIFICATION_EXTENSION,
    NHS_NUMBER_VERIFICATION_SYSTEM,
    PARENTAL_RESPONSIBILITY_EXTENSION,
    ROLE_CODE_SYSTEM,
    SAFEGUARDING_REASON_EXTENSION,
    SENSITIVITY_CODES,
    SENSITIVITY_SYSTEM,
    SERVICE_TYPE_SYSTEM,
    SHIELDING_REASON_EXTENSION,
    UKCORE_ADDITIONAL_RELATIONSHIP_CODES,
    UKCORE_RELATIONSHIP_SYSTEM,
    UPN_SYSTEM,
)
from adapters.fhir.tables import table
from gateway import Address, Carer, Child, ChildRecord, Involvement
from gateway.caf.fhir import consent_resource

__all__ = ["add_record", "address", "relationship_concept"]

_ADDRESS_USE = {"home": "home", "temporary": "temp", "placement": "temp", "previous": "old", "other": None}


def add_record(builder: BundleBuilder, record: ChildRecord, index: int) -> None:
    """Add every resource of one child record to the Bundle."""
    patient_url = builder.full_url("record", index, "patient")
    builder.add(patient_url, _patient(builder, record.child))
    for position, carer in enumerate(record.carers):
        builder.add(builder.full_url("record", index, "carer", position), _related_person(carer, patient_url))
    for position, involvement in enumerate(record.involvements):
        builder.add(
            builder.full_url("record", index, "involvement", position), _care_team(builder, involvement, patient_url)
        )
    add_assessments(builder, record.assessments, patient_url, index)
    add_cafs(builder, record.caf_assessments, patient_url, index)
    for position, consent in enumerate(record.consents):
        builder.add(
            builder.full_url("record", index, "consent", position),
            consent_resource(
                consent, subject={"reference": patient_url}, practitioner=builder.practitioner, caf_url=None
            ),
        )


def address(value: Address) -> dict[str, Any]:
    """A canonical address as an Address (placement and other uses kept in a gateway extension)."""
    result: dict[str, Any] = {}
    use = _ADDRESS_USE[value.use]
    if use is not None:
        result["use"] = use
    if value.use in ("placement", "other"):
        result["extension"] = [{"url": ADDRESS_USE_EXTENSION, "valueCode": value.use}]
    if value.lines:
        result["line"] = list(value.lines)
    if value.town:
        result["city"] = value.town
    if value.postcode:
        result["postalCode"] = value.postcode
    period = _period(value.start, value.end)
    if period:
        result["period"] = period
    return result


def _period(start: Any, end: Any) -> dict[str, str]:
    period = {}
    if start is not None:
        period["start"] = start.isoformat()
    if end is not None:
        period["end"] = end.isoformat()
    return period


def _patient(builder: BundleBuilder, child: Child) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient"}
    if child.shielded:
        resource["meta"] = {"security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}]}
    extensions = []
    if child.ethnicity is not None:
        extensions.append({"url": ETHNIC_CATEGORY_EXTENSION, "valueCodeableConcept": _ethnicity(child)})
    if child.expected_birth_date is not None:
        extensions.append({"url": EXPECTED_BIRTH_DATE_EXTENSION, "valueDate": child.expected_birth_date.isoformat()})
    if child.shielding_reason is not None:
        extensions.append({"url": SHIELDING_REASON_EXTENSION, "valueString": child.shielding_reason})
    if extensions:
        resource["extension"] = extensions
    identifiers = _identifiers(child)
    if identifiers:
        resource["identifier"] = identifiers
    if child.names:
        resource["name"] = [human_name(name) for name in child.names]
    if child.contacts:
        resource["telecom"] = [telecom(contact) for contact in child.contacts]
    if child.sex is not None:
        resource["gender"] = table("fhir/sex-to-administrative-gender").codes[child.sex]
    if child.birth_date is not None:
        resource["birthDate"] = child.birth_date.isoformat()
    if child.death_date is not None:
        resource["deceasedDateTime"] = child.death_date.isoformat()
    if child.addresses:
        resource["address"] = [address(item) for item in child.addresses]
    if child.gp_practice is not None:
        resource["generalPractitioner"] = [builder.organisation(child.gp_practice)]
    return resource


def _identifiers(child: Child) -> list[dict[str, Any]]:
    identifiers: list[dict[str, Any]] = []
    if child.nhs_number is not None or child.nhs_number_verification is not None:
        nhs: dict[str, Any] = {"system": NHS_NUMBER_SYSTEM}
        if child.nhs_number_verification is not None:
            coding = {"system": NHS_NUMBER_VERIFICATION_SYSTEM, "code": child.nhs_number_verification}
            nhs["extension"] = [
                {"url": NHS_NUMBER_VERIFICATION_EXTENSION, "valueCodeableConcept": {"coding": [coding]}}
            ]
        if child.nhs_number is not None:
            nhs["value"] = child.nhs_number
        identifiers.append(nhs)
    if child.upn is not None:
        identifiers.append({"system": UPN_SYSTEM, "value": child.upn})
    identifiers.extend({"use": "old", "system": UPN_SYSTEM, "value": upn} for upn in child.former_upns)
    identifiers.extend(
        {"system": f"{LA_CHILD_ID_SYSTEM_PREFIX}{local.la_code}", "value": local.la_child_id}
        for local in child.local_ids
    )
    if child.child_id is not None:
        identifiers.append({"use": "secondary", "system": CHILD_ID_SYSTEM, "value": child.child_id})
    return identifiers


def _ethnicity(child: Child) -> dict[str, Any]:
    assert child.ethnicity is not None  # noqa: S101 - checked by the caller
    coding = child.ethnicity
    if coding.system != DFE_ETHNICITY:
        return {"coding": [{"system": coding.system, "code": coding.code}]}
    codings = []
    nhs = table("fhir/dfe-ethnicity-to-nhs-ethnic-category").lookup(coding.code)
    if nhs is not None:
        codings.append({"system": NHS_ETHNIC_CATEGORY, "code": nhs.code})
    codings.append({"system": DFE_ETHNICITY, "code": coding.code})
    return {"coding": codings}


def relationship_concept(relationship: str) -> dict[str, Any]:
    """A canonical relationship as a UK Core PersonRelationshipType concept (text when it has no code)."""
    found = table("fhir/carer-relationship-to-person-relationship").lookup(relationship)
    if found is None:
        return {"text": relationship}
    system = UKCORE_RELATIONSHIP_SYSTEM if found.code in UKCORE_ADDITIONAL_RELATIONSHIP_CODES else ROLE_CODE_SYSTEM
    return {"coding": [{"system": system, "code": found.code}]}


def _related_person(carer: Carer, patient_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "RelatedPerson", "patient": {"reference": patient_url}}
    extensions = [
        {"url": url, "valueBoolean": value}
        for url, value in (
            (PARENTAL_RESPONSIBILITY_EXTENSION, carer.parental_responsibility),
            (LIVES_WITH_CHILD_EXTENSION, carer.lives_with_child),
        )
        if value is not None
    ]
    if extensions:
        resource["extension"] = extensions
    if carer.carer_id is not None:
        resource["identifier"] = [{"system": CARER_ID_SYSTEM, "value": carer.carer_id}]
    if carer.relationship is not None:
        resource["relationship"] = [relationship_concept(carer.relationship)]
    if carer.names:
        resource["name"] = [human_name(name) for name in carer.names]
    if carer.contacts:
        resource["telecom"] = [telecom(contact) for contact in carer.contacts]
    if carer.addresses:
        resource["address"] = [address(item) for item in carer.addresses]
    return resource


def _care_team(builder: BundleBuilder, involvement: Involvement, patient_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "CareTeam",
        "status": "inactive" if involvement.end is not None else "active",
        "subject": {"reference": patient_url},
    }
    if involvement.sensitive_category is not None:
        code = SENSITIVITY_CODES[involvement.sensitive_category]
        resource["meta"] = {"security": [{"system": SENSITIVITY_SYSTEM, "code": code}]}
    extensions: list[dict[str, Any]] = []
    if involvement.consent_id is not None:
        reference = {"identifier": {"system": CONSENT_ID_SYSTEM, "value": involvement.consent_id}}
        extensions.append({"url": INVOLVEMENT_CONSENT_EXTENSION, "valueReference": reference})
    if involvement.safeguarding_reason is not None:
        extensions.append({"url": SAFEGUARDING_REASON_EXTENSION, "valueString": involvement.safeguarding_reason})
    if extensions:
        resource["extension"] = extensions
    if involvement.involvement_id is not None:
        resource["identifier"] = [{"system": INVOLVEMENT_ID_SYSTEM, "value": involvement.involvement_id}]
    service = fhir_code(involvement.service_type)
    categories: list[dict[str, Any]] = [
        {"coding": [{"system": SERVICE_TYPE_SYSTEM, "code": service}]}
        if service
        else {"text": involvement.service_type}
    ]
    plan_code = _plan_code(involvement.plan_type)
    if plan_code is not None:
        categories.append({"coding": [{"system": CPIS_PLAN_TYPE_SYSTEM, "code": plan_code}]})
    resource["category"] = categories
    period = _period(involvement.start, involvement.end)
    if period:
        resource["period"] = period
    participant: dict[str, Any] = {}
    roles: list[dict[str, Any]] = []
    if involvement.lead_professional:
        roles.append(
            {"coding": [{"system": CARE_TEAM_ROLE_SYSTEM, "code": "lead-professional", "display": "Lead professional"}]}
        )
    if involvement.role:
        roles.append({"text": involvement.role})
    if roles:
        participant["role"] = roles
    if involvement.practitioner is not None:
        participant["member"] = builder.practitioner(involvement.practitioner)
    if participant:
        resource["participant"] = [participant]
    if involvement.organisation is not None:
        resource["managingOrganization"] = [builder.organisation(involvement.organisation)]
    return resource


def _plan_code(plan_type: str | None) -> str | None:
    if plan_type is None:
        return None
    for code, canonical in table("fhir/care-team-category-to-plan-type").codes.items():
        if canonical == plan_type and fhir_code(code):
            return code
    return None
