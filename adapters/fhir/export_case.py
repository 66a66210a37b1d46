"""Canonical case data -> FHIR resources (as dicts): assessments as Encounters (with one visit Encounter
per child-seen date, ``partOf`` the assessment), CAFs as QuestionnaireResponses, consents as Consents.

CAFs and consents are built by :mod:`gateway.caf.fhir`, the same code the CAF store's export uses, so a
CAF has one FHIR shape whichever way it leaves the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.fhir.bundling import BundleBuilder, fhir_code
from adapters.fhir.systems import (
    ASSESSMENT_ID_SYSTEM,
    ASSESSMENT_KIND_SYSTEM,
    AUTHORISED_DATE_EXTENSION,
    CHILD_SEEN_RECORDED_EXTENSION,
    DFE_FACTOR_SYSTEM,
    EPISODE_ID_SYSTEM,
)
from gateway import Assessment, CafAssessment
from gateway.caf.fhir import consent_resource, questionnaire_response

__all__ = ["add_assessments", "add_cafs"]

_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


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


def add_cafs(builder: BundleBuilder, cafs: Sequence[CafAssessment], patient_url: str, index: int) -> None:
    """One QuestionnaireResponse per CAF, followed by the CAF's Consents (pointing at it)."""
    for position, caf in enumerate(cafs):
        url = builder.full_url("record", index, "caf", position)
        subject = {"reference": patient_url}
        builder.add(url, questionnaire_response(caf, subject=subject, practitioner=builder.practitioner))
        for consent_index, consent in enumerate(caf.consents):
            consent_url = builder.full_url("record", index, "caf", position, "consent", consent_index)
            resource = consent_resource(consent, subject=subject, practitioner=builder.practitioner, caf_url=url)
            builder.add(consent_url, resource)
