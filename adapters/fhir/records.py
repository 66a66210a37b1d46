"""Assembling canonical ``ChildRecord`` values from the pool: one per Patient, with what refers to it.

RelatedPerson.patient, CareTeam.subject, Encounter.subject, QuestionnaireResponse.subject and
Consent.patient must reference a Patient of the submission; anything else cannot be placed and is an
error issue (its data is not carried). A Consent belongs to a CAF when it points at the CAF's
QuestionnaireResponse, otherwise to the record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from pydantic import ValidationError

from adapters.fhir.caf import is_caf, map_caf
from adapters.fhir.carers import map_patient_contact, map_related_person
from adapters.fhir.careteam import map_care_team
from adapters.fhir.consents import map_consent
from adapters.fhir.context import Collector, Entry, issue_at
from adapters.fhir.datatypes import dict_items
from adapters.fhir.encounters import map_encounters
from adapters.fhir.patient import map_patient
from adapters.fhir.pool import ResourcePool
from gateway import CafAssessment, Carer, ChildRecord, Consent, Involvement, ReadEvent

__all__ = ["assemble_records"]

log = logging.getLogger(__name__)

_SUBJECT: Final = {
    "RelatedPerson": "patient",
    "CareTeam": "subject",
    "Encounter": "subject",
    "QuestionnaireResponse": "subject",
    "Consent": "patient",
}


@dataclass
class _Group:
    patient: Entry
    related: dict[str, list[Entry]] = field(default_factory=dict)
    caf_consents: dict[int, list[Entry]] = field(default_factory=dict)


def assemble_records(pool: ResourcePool) -> Iterator[ReadEvent]:
    """One record per Patient (in submission order), then the issues for what could not be placed."""
    groups = {id(entry): _Group(entry) for entry in pool.of_type("Patient")}
    orphans = Collector()
    for entry in pool.entries:
        element = _SUBJECT.get(entry.resource_type)
        if element is None:
            continue
        target = pool.resolve(entry.resource.get(element), entry)
        group = groups.get(id(target)) if target is not None else None
        if group is None:
            orphans.issue(
                "map/fhir/subject-unresolved",
                "error",
                f"{entry.resource_type}.{element} does not reference a Patient in the submission; "
                "the resource was not carried",
                entry,
                f"/{element}",
            )
            continue
        if entry.resource_type == "Consent" and (caf := _consent_caf(entry, pool)) is not None:
            if (
                caf.resource.get("subject") is None
                or pool.resolve(caf.resource.get("subject"), caf) is not group.patient
            ):
                orphans.issue(
                    "map/fhir/consent-caf-mismatch",
                    "error",
                    "the Consent is for a different child than the CAF it refers to; it was not carried",
                    entry,
                    "/patient",
                )
                continue
            group.caf_consents.setdefault(id(caf), []).append(entry)
            continue
        group.related.setdefault(entry.resource_type, []).append(entry)
    index = 0
    for group in groups.values():
        for event in _record(group, pool, index):
            if isinstance(event, ChildRecord):
                index += 1
            yield event
    yield from orphans.finish(None)


def _consent_caf(entry: Entry, pool: ResourcePool) -> Entry | None:
    provision = entry.resource.get("provision")
    references = [
        data.get("reference") for _, data in dict_items(provision.get("data") if isinstance(provision, dict) else None)
    ]
    references.append(entry.resource.get("sourceReference"))
    for reference in references:
        target = pool.resolve(reference, entry)
        if target is not None and target.resource_type == "QuestionnaireResponse" and is_caf(target):
            return target
    return None


def _record(group: _Group, pool: ResourcePool, record_index: int) -> Iterator[ReadEvent]:
    collector = Collector()
    patient = group.patient
    try:
        child = map_patient(patient, pool, collector)
        carers: list[Carer] = [
            map_related_person(entry, f"/carers/{index}", collector)
            for index, entry in enumerate(group.related.get("RelatedPerson", []))
        ]
        for index, _ in dict_items(patient.resource.get("contact")):
            carer = map_patient_contact(patient, index, f"/carers/{len(carers)}", collector)
            if carer is not None:
                carers.append(carer)
        involvements: list[Involvement] = []
        for entry in group.related.get("CareTeam", []):
            involvements.extend(map_care_team(entry, pool, len(involvements), collector))
        assessments = map_encounters(group.related.get("Encounter", []), pool, collector)
        cafs: list[CafAssessment] = []
        for entry in group.related.get("QuestionnaireResponse", []):
            if not is_caf(entry):
                collector.issue(
                    "map/fhir/questionnaire-not-caf",
                    "information",
                    "the QuestionnaireResponse does not answer the gateway CAF questionnaire; it was ignored",
                    entry,
                    "/questionnaire",
                )
                continue
            caf = map_caf(entry, group.caf_consents.get(id(entry), []), pool, len(cafs), collector)
            if caf is not None:
                cafs.append(caf)
        consents: list[Consent] = []
        for entry in group.related.get("Consent", []):
            consent = map_consent(entry, pool, f"/consents/{len(consents)}", collector, for_caf=False)
            if consent is not None:
                consents.append(consent)
        record = ChildRecord(
            child=child,
            carers=tuple(carers),
            involvements=tuple(involvements),
            consents=tuple(consents),
            assessments=assessments,
            caf_assessments=tuple(cafs),
            lineage=collector.built_lineage(),
        )
    except ValidationError as exc:
        # A mapping bug, not bad data: report it without the data, and keep the other children.
        log.error("FHIR mapping produced an invalid record", extra={"errors": exc.error_count()})
        yield issue_at(
            "map/fhir/record-invalid",
            "error",
            "the Patient's data could not be assembled into a canonical record (a gateway fault; please report it)",
            patient.file,
            patient.pointer,
        )
        return
    local = child.local_ids[0].la_child_id if child.local_ids else None
    yield from collector.finish(local, record_index)
    yield record
