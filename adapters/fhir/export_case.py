"""Canonical case data -> FHIR resources (as dicts): assessments as Encounters (with one visit Encounter
per child-seen date, ``partOf`` the assessment), CAFs as QuestionnaireResponses, consents as Consents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from adapters.fhir.bundling import BundleBuilder, fhir_code, human_name
from adapters.fhir.systems import (
    ASSESSMENT_ID_SYSTEM,
    ASSESSMENT_KIND_SYSTEM,
    AUTHORISED_DATE_EXTENSION,
    CAF_ID_SYSTEM,
    CAF_QUESTIONNAIRE,
    CHILD_SEEN_RECORDED_EXTENSION,
    CONSENT_CATEGORY_LOINC,
    CONSENT_ID_SYSTEM,
    CONSENT_OBTAINED_BY_EXTENSION,
    CONSENT_PURPOSE_SYSTEM,
    CONSENT_SCOPE_SYSTEM,
    DFE_FACTOR_SYSTEM,
    EPISODE_ID_SYSTEM,
    ORGANISATION_SYSTEMS,
    PARTICIPATION_TYPE_SYSTEM,
    ROLE_CODE_SYSTEM,
    UKCORE_RELATIONSHIP_SYSTEM,
)
from gateway import Assessment, CafAssessment, CafDomain, Consent

__all__ = ["add_assessments", "add_cafs", "consent_resource"]

_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_CAF_STATUS = {"draft": "in-progress", "completed": "completed", "closed": "stopped"}
_DOMAIN_ITEMS = (
    ("development_of_child", "development-of-child", "Development of the child"),
    ("parents_and_carers", "parents-and-carers", "Parents and carers"),
    ("family_and_environment", "family-and-environment", "Family and environmental factors"),
)


def add_assessments(builder: BundleBuilder, assessments: Sequence[Assessment], patient_url: str, index: int) -> None:
    """One assessment Encounter per assessment, and one visit Encounter per child-seen date."""
    for position, assessment in enumerate(assessments):
        url = builder.full_url("record", index, "assessment", position)
        builder.add(url, _assessment_encounter(builder, assessment, patient_url))
        for seen_index, seen in enumerate(assessment.child_seen_dates):
            visit = {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"system": _ACT_CODE, "code": "HH", "display": "home health"},
                "subject": {"reference": patient_url},
                "period": {"start": seen.isoformat()},
                "partOf": {"reference": url},
            }
            builder.add(builder.full_url("record", index, "assessment", position, "seen", seen_index), visit)


def _assessment_encounter(builder: BundleBuilder, assessment: Assessment, patient_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "identifier": [{"system": ASSESSMENT_ID_SYSTEM, "value": assessment.assessment_id}],
        "status": "finished" if assessment.completed_date is not None else "in-progress",
        "class": {"system": _ACT_CODE, "code": "FLD", "display": "field"},
        "type": [{"coding": [{"system": ASSESSMENT_KIND_SYSTEM, "code": assessment.kind}]}],
        "subject": {"reference": patient_url},
    }
    extensions: list[dict[str, Any]] = []
    if assessment.authorised_date is not None:
        extensions.append({"url": AUTHORISED_DATE_EXTENSION, "valueDate": assessment.authorised_date.isoformat()})
    if not assessment.child_seen_known:
        extensions.append({"url": CHILD_SEEN_RECORDED_EXTENSION, "valueBoolean": False})
    if extensions:
        resource["extension"] = extensions
    if assessment.episode_id is not None:
        resource["episodeOfCare"] = [{"identifier": {"system": EPISODE_ID_SYSTEM, "value": assessment.episode_id}}]
    period = {}
    if assessment.start_date is not None:
        period["start"] = assessment.start_date.isoformat()
    if assessment.completed_date is not None:
        period["end"] = assessment.completed_date.isoformat()
    if period:
        resource["period"] = period
    factors = [code for code in assessment.factors if fhir_code(code)]
    if factors:
        resource["reasonCode"] = [{"coding": [{"system": DFE_FACTOR_SYSTEM, "code": code}]} for code in factors]
    if assessment.assessor is not None:
        resource["participant"] = [{"individual": builder.practitioner(assessment.assessor)}]
    return resource


def _strings(link_id: str, values: Sequence[str]) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{"valueString": value} for value in values]}


def _date_item(link_id: str, value: date) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{"valueDate": value.isoformat()}]}


def _domain_item(link_id: str, text: str, domain: CafDomain) -> dict[str, Any] | None:
    items = []
    if domain.summary:
        items.append(_strings("summary", [domain.summary]))
    if domain.strengths:
        items.append(_strings("strengths", domain.strengths))
    if domain.needs:
        items.append(_strings("needs", domain.needs))
    return {"linkId": link_id, "text": text, "item": items} if items else None


def add_cafs(builder: BundleBuilder, cafs: Sequence[CafAssessment], patient_url: str, index: int) -> None:
    """One QuestionnaireResponse per CAF, followed by the CAF's Consents (pointing at it)."""
    for position, caf in enumerate(cafs):
        url = builder.full_url("record", index, "caf", position)
        builder.add(url, _questionnaire_response(builder, caf, patient_url))
        for consent_index, consent in enumerate(caf.consents):
            consent_url = builder.full_url("record", index, "caf", position, "consent", consent_index)
            builder.add(consent_url, consent_resource(builder, consent, patient_url, url))


def _questionnaire_response(builder: BundleBuilder, caf: CafAssessment, patient_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "meta": {"versionId": str(caf.version)},
        "identifier": {"system": CAF_ID_SYSTEM, "value": caf.caf_id},
        "questionnaire": CAF_QUESTIONNAIRE,
        "status": _CAF_STATUS[caf.status],
        "subject": {"reference": patient_url},
    }
    if caf.assessor is not None:
        resource["author"] = builder.practitioner(caf.assessor)
    items: list[dict[str, Any]] = []
    for field, link_id, text in _DOMAIN_ITEMS:
        item = _domain_item(link_id, text, getattr(caf.domains, field))
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
            {"linkId": "lead-professional", "answer": [{"valueReference": builder.practitioner(caf.lead_professional)}]}
        )
    for action in caf.actions:
        parts = [_strings("description", [action.description])]
        if action.responsible is not None:
            parts.append(
                {"linkId": "responsible", "answer": [{"valueReference": builder.practitioner(action.responsible)}]}
            )
        if action.due_date is not None:
            parts.append(_date_item("due-date", action.due_date))
        items.append({"linkId": "action", "item": parts})
    if items:
        resource["item"] = items
    return resource


def consent_resource(builder: BundleBuilder, consent: Consent, patient_url: str, caf_url: str | None) -> dict[str, Any]:
    """A Consent (``caf_url``: the QuestionnaireResponse it allows to be shared, for a CAF consent)."""
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "identifier": [{"system": CONSENT_ID_SYSTEM, "value": consent.consent_id}],
        "status": "active" if consent.withdrawn_at is None else "inactive",
        "scope": {"coding": [{"system": CONSENT_SCOPE_SYSTEM, "code": "patient-privacy"}]},
        "category": [
            {"coding": [{"system": CONSENT_CATEGORY_LOINC[0], "code": CONSENT_CATEGORY_LOINC[1]}]},
            {"coding": [{"system": CONSENT_PURPOSE_SYSTEM, "code": consent.purpose}]},
        ],
        "patient": {"reference": patient_url},
        "dateTime": consent.given_at.isoformat(),
        "policyRule": {"coding": [{"system": _ACT_CODE, "code": "OPTIN"}]},
    }
    if consent.given_by_role == "child":
        resource["performer"] = [{"reference": patient_url}]
    else:
        giver: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": "giver",
            "patient": {"reference": patient_url},
            "relationship": [
                {"coding": [{"system": ROLE_CODE_SYSTEM, "code": "PRN"}]}
                if consent.given_by_role == "parent"
                else {"coding": [{"system": UKCORE_RELATIONSHIP_SYSTEM, "code": "Carer"}]}
            ],
        }
        if consent.given_by_name is not None and (consent.given_by_name.family or consent.given_by_name.given):
            giver["name"] = [human_name(consent.given_by_name)]
        resource["contained"] = [giver]
        resource["performer"] = [{"reference": "#giver"}]
    if consent.obtained_by is not None:
        resource["extension"] = [
            {"url": CONSENT_OBTAINED_BY_EXTENSION, "valueReference": builder.practitioner(consent.obtained_by)}
        ]
    provision: dict[str, Any] = {"type": "permit", "period": {"start": consent.given_at.isoformat()}}
    if consent.withdrawn_at is not None:
        provision["period"]["end"] = consent.withdrawn_at.isoformat()
    if consent.scope:
        role = {"coding": [{"system": PARTICIPATION_TYPE_SYSTEM, "code": "IRCP"}]}
        provision["actor"] = [
            {"role": role, "reference": {"identifier": {"system": ORGANISATION_SYSTEMS["local"], "value": code}}}
            for code in consent.scope
        ]
    if caf_url is not None:
        provision["data"] = [{"meaning": "instance", "reference": {"reference": caf_url}}]
    resource["provision"] = provision
    return resource
