"""FHIR R4 export of a stored CAF: a ``collection`` Bundle of a QuestionnaireResponse and its Consents.

The layout is the gateway's CAF Questionnaire (``schemas/fhir/Questionnaire-caf.json``), the same the
``fhir-r4-json`` adapter reads: domain groups (``summary``, ``strengths``, ``needs``), ``conclusions``,
dates, ``lead-professional`` and repeating ``action`` groups; ``meta.versionId`` is the form's version.
Practitioners travel as Practitioner + PractitionerRole entries; the child is referred to by its gateway
child id (a logical reference — the export carries no Patient). Built as plain dicts and serialised with
orjson (fhir.resources is used only by the tests, to validate); the URIs must stay equal to those in
``adapters/fhir/systems.py`` (a test checks).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

import orjson

from gateway.model import CafAssessment, CafDomain, Consent, PersonName, Practitioner

__all__ = [
    "CAF_ID_SYSTEM",
    "CAF_QUESTIONNAIRE",
    "CHILD_ID_SYSTEM",
    "CONSENT_ID_SYSTEM",
    "CONSENT_OBTAINED_BY_EXTENSION",
    "CONSENT_PURPOSE_SYSTEM",
    "GATEWAY_BASE",
    "LOCAL_ORGANISATION_SYSTEM",
    "PRACTITIONER_ID_SYSTEM",
    "PractitionerReference",
    "caf_bundle",
    "consent_resource",
    "export_caf",
    "questionnaire_response",
]

GATEWAY_BASE: Final = "https://ecm-gateway.example/fhir"
CAF_QUESTIONNAIRE: Final = f"{GATEWAY_BASE}/Questionnaire/caf"
CAF_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/caf-id"
CHILD_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/child-id"
CONSENT_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/consent-id"
PRACTITIONER_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/practitioner-id"
LOCAL_ORGANISATION_SYSTEM: Final = f"{GATEWAY_BASE}/Id/local-organisation"
CONSENT_PURPOSE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/consent-purpose"
CONSENT_OBTAINED_BY_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/consent-obtained-by"

_ORGANISATION_SYSTEMS: Final = {
    "ods": "https://fhir.nhs.uk/Id/ods-organization-code",
    "urn": f"{GATEWAY_BASE}/Id/school-urn",
    "dfe-la": f"{GATEWAY_BASE}/Id/dfe-la-number",
    "ukprn": f"{GATEWAY_BASE}/Id/ukprn",
    "local": LOCAL_ORGANISATION_SYSTEM,
}
_ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_ROLE_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
_UKCORE_RELATIONSHIP: Final = "https://fhir.hl7.org.uk/CodeSystem/UKCore-AdditionalPersonRelationshipRole"
_PARTICIPATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
_CONSENT_SCOPE: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
_STATUS: Final = {"draft": "in-progress", "completed": "completed", "closed": "stopped"}
_DOMAINS: Final = (
    ("development_of_child", "development-of-child", "Development of the child"),
    ("parents_and_carers", "parents-and-carers", "Parents and carers"),
    ("family_and_environment", "family-and-environment", "Family and environmental factors"),
)
_NAME_USE: Final = {"usual": "usual", "former": "old", "preferred": "nickname", "alias": "temp"}
_TELECOM_USE: Final = {"home": "home", "work": "work", "mobile": "mobile", "other": "temp"}
_NAMESPACE: Final = uuid.UUID("6f1c1d3e-9f57-4c4b-8a57-2d7e0f3c5a11")

PractitionerReference = Callable[[Practitioner], dict[str, Any]]
"""Adds a practitioner to the Bundle being built (once) and answers a Reference to it."""


class _Builder:
    """Collects entries; practitioners are added once each, with deterministic urn:uuid full URLs."""

    def __init__(self, caf_id: str, version: int) -> None:
        self.seed = f"{caf_id}\x00{version}"
        self.entries: list[dict[str, Any]] = []
        self._practitioners: dict[str, str] = {}

    def url(self, *parts: object) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, self.seed + ''.join(f'/{part}' for part in parts))}"

    def add(self, url: str, resource: dict[str, Any]) -> None:
        self.entries.append({"fullUrl": url, "resource": resource})

    def practitioner(self, practitioner: Practitioner) -> dict[str, Any]:
        """A reference to the practitioner's PractitionerRole (added on first use)."""
        key = practitioner.model_dump_json()
        if key in self._practitioners:
            return {"reference": self._practitioners[key]}
        person: dict[str, Any] = {"resourceType": "Practitioner"}
        if practitioner.practitioner_id:
            person["identifier"] = [{"system": PRACTITIONER_ID_SYSTEM, "value": practitioner.practitioner_id}]
        if practitioner.name is not None and (practitioner.name.family or practitioner.name.given):
            person["name"] = [_human_name(practitioner.name)]
        if practitioner.contacts:
            person["telecom"] = [
                _telecom(contact.system, contact.value, contact.use) for contact in practitioner.contacts
            ]
        person_url = self.url("practitioner", len(self._practitioners))
        role: dict[str, Any] = {"resourceType": "PractitionerRole", "practitioner": {"reference": person_url}}
        if practitioner.role:
            role["code"] = [{"text": practitioner.role}]
        organisation = practitioner.organisation
        if organisation is not None and (organisation.code or organisation.name):
            reference: dict[str, Any] = {}
            if organisation.code:
                system = _ORGANISATION_SYSTEMS[organisation.code_system or "local"]
                reference["identifier"] = {"system": system, "value": organisation.code}
            if organisation.name:
                reference["display"] = organisation.name
            role["organization"] = reference
        role_url = self.url("practitioner-role", len(self._practitioners))
        self.add(person_url, person)
        self.add(role_url, role)
        self._practitioners[key] = role_url
        return {"reference": role_url}


def _human_name(name: PersonName) -> dict[str, Any]:
    result: dict[str, Any] = {"use": _NAME_USE[name.use]}
    if name.family:
        result["family"] = name.family
    if name.given:
        result["given"] = list(name.given)
    return result


def _telecom(system: str, value: str, use: str | None) -> dict[str, Any]:
    telecom: dict[str, Any] = {"system": system, "value": value}
    if use is not None:
        telecom["use"] = _TELECOM_USE[use]
    return telecom


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")  # fractions kept when present


def _strings(link_id: str, values: Sequence[str]) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{"valueString": value} for value in values]}


def _date_item(link_id: str, value: date) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{"valueDate": value.isoformat()}]}


def _domain(link_id: str, text: str, domain: CafDomain) -> dict[str, Any] | None:
    items = []
    if domain.summary:
        items.append(_strings("summary", [domain.summary]))
    if domain.strengths:
        items.append(_strings("strengths", domain.strengths))
    if domain.needs:
        items.append(_strings("needs", domain.needs))
    return {"linkId": link_id, "text": text, "item": items} if items else None


def _child(child_id: str | None) -> dict[str, Any]:
    if child_id is None:
        return {"display": "child not identified"}
    return {"identifier": {"system": CHILD_ID_SYSTEM, "value": child_id}}


def questionnaire_response(
    caf: CafAssessment, *, subject: dict[str, Any], practitioner: PractitionerReference
) -> dict[str, Any]:
    """The CAF as a QuestionnaireResponse of the gateway's CAF Questionnaire (``subject``: the child's Reference).

    Shared by the CAF store's export and the ``fhir-r4-json`` writer, so a CAF has one FHIR shape.
    """
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "meta": {"versionId": str(caf.version)},
        "identifier": {"system": CAF_ID_SYSTEM, "value": caf.caf_id},
        "questionnaire": CAF_QUESTIONNAIRE,
        "status": _STATUS[caf.status],
        "subject": subject,
    }
    authored = caf.completed_date or caf.started_date
    if authored is not None:
        resource["authored"] = authored.isoformat()
    if caf.assessor is not None:
        resource["author"] = practitioner(caf.assessor)
    items: list[dict[str, Any]] = []
    for field, link_id, text in _DOMAINS:
        item = _domain(link_id, text, getattr(caf.domains, field))
        if item is not None:
            items.append(item)
    if caf.conclusions:
        items.append(_strings("conclusions", [caf.conclusions]))
    for link_id, value in (
        ("started-date", caf.started_date),
        ("completed-date", caf.completed_date),
        ("review-date", caf.review_date),
    ):
        if value is not None:
            items.append(_date_item(link_id, value))
    if caf.lead_professional is not None:
        items.append(
            {"linkId": "lead-professional", "answer": [{"valueReference": practitioner(caf.lead_professional)}]}
        )
    for action in caf.actions:
        parts = [_strings("description", [action.description])]
        if action.responsible is not None:
            parts.append({"linkId": "responsible", "answer": [{"valueReference": practitioner(action.responsible)}]})
        if action.due_date is not None:
            parts.append(_date_item("due-date", action.due_date))
        items.append({"linkId": "action", "item": parts})
    if items:
        resource["item"] = items
    return resource


def consent_resource(
    consent: Consent,
    *,
    subject: dict[str, Any],
    practitioner: PractitionerReference,
    caf_url: str | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """A Consent (``caf_url``: the QuestionnaireResponse it lets be shared, for a CAF consent).

    ``at``: the status is as at that moment; without it, a consent is active until withdrawn.
    """
    active = consent.is_active(at) if at is not None else consent.withdrawn_at is None
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "identifier": [{"system": CONSENT_ID_SYSTEM, "value": consent.consent_id}],
        "status": "active" if active else "inactive",
        "scope": {"coding": [{"system": _CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [
            {"coding": [{"system": "http://loinc.org", "code": "59284-0"}]},
            {"coding": [{"system": CONSENT_PURPOSE_SYSTEM, "code": consent.purpose}]},
        ],
        "patient": subject,
        "dateTime": _instant(consent.given_at),
        "policyRule": {"coding": [{"system": _ACT_CODE, "code": "OPTIN"}]},
    }
    if consent.given_by_role == "child":
        resource["performer"] = [subject]
    else:
        relationship = (
            {"coding": [{"system": _ROLE_CODE, "code": "PRN"}]}
            if consent.given_by_role == "parent"
            else {"coding": [{"system": _UKCORE_RELATIONSHIP, "code": "Carer"}]}
        )
        giver: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": "giver",
            "patient": subject,
            "relationship": [relationship],
        }
        if consent.given_by_name is not None and (consent.given_by_name.family or consent.given_by_name.given):
            giver["name"] = [_human_name(consent.given_by_name)]
        resource["contained"] = [giver]
        resource["performer"] = [{"reference": "#giver"}]
    if consent.obtained_by is not None:
        resource["extension"] = [
            {"url": CONSENT_OBTAINED_BY_EXTENSION, "valueReference": practitioner(consent.obtained_by)}
        ]
    provision: dict[str, Any] = {"type": "permit", "period": {"start": _instant(consent.given_at)}}
    if consent.withdrawn_at is not None:
        provision["period"]["end"] = _instant(max(consent.withdrawn_at, consent.given_at))
    if consent.scope:
        role = {"coding": [{"system": _PARTICIPATION, "code": "IRCP"}]}
        provision["actor"] = [
            {"role": role, "reference": {"identifier": {"system": LOCAL_ORGANISATION_SYSTEM, "value": code}}}
            for code in consent.scope
        ]
    if caf_url is not None:
        provision["data"] = [{"meaning": "instance", "reference": {"reference": caf_url}}]
    resource["provision"] = provision
    return resource


def caf_bundle(caf: CafAssessment, *, child_id: str | None, at: datetime) -> dict[str, Any]:
    """The CAF and its consents (status as at ``at``) as a FHIR R4 ``collection`` Bundle (a dict)."""
    builder = _Builder(caf.caf_id, caf.version)
    caf_url = builder.url("questionnaire-response")
    subject = _child(child_id)
    resource = questionnaire_response(caf, subject=subject, practitioner=builder.practitioner)
    builder.entries.append({"fullUrl": caf_url, "resource": resource})
    for position, consent in enumerate(caf.consents):
        builder.add(
            builder.url("consent", position),
            consent_resource(consent, subject=subject, practitioner=builder.practitioner, caf_url=caf_url, at=at),
        )
    return {"resourceType": "Bundle", "type": "collection", "timestamp": _instant(at), "entry": builder.entries}


def export_caf(caf: CafAssessment, *, child_id: str | None, at: datetime) -> bytes:
    """:func:`caf_bundle` serialised as JSON (``application/fhir+json``)."""
    return orjson.dumps(caf_bundle(caf, child_id=child_id, at=at))
