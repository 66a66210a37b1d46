"""QuestionnaireResponse (+ its Consents) -> canonical ``CafAssessment``.

A CAF is a QuestionnaireResponse to the gateway's CAF Questionnaire (``schemas/fhir/Questionnaire-caf.json``,
canonical URL :data:`~adapters.fhir.systems.CAF_QUESTIONNAIRE`). Its items, by ``linkId``:

* ``development-of-child``, ``parents-and-carers``, ``family-and-environment``: groups holding
  ``summary`` (string), ``strengths`` and ``needs`` (one string answer per strength or need);
* ``conclusions`` (string); ``started-date``, ``completed-date``, ``review-date`` (date);
* ``lead-professional`` (reference to a Practitioner or PractitionerRole);
* ``action`` (a repeating group): ``description`` (string), ``responsible`` (reference), ``due-date`` (date).

``author`` is the assessor; ``status`` in-progress/completed/amended/stopped is draft/completed/completed/
closed; ``meta.versionId`` (an integer) is the form's version. A Consent belongs to the CAF when its
``provision.data.reference`` (or ``sourceReference``) points at the QuestionnaireResponse.
"""

from __future__ import annotations

from typing import Any, Final

from adapters.fhir.consents import map_consent
from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import dict_items, dict_value, read_date, string_value
from adapters.fhir.pool import ResourcePool
from adapters.fhir.practitioners import read_practitioner
from adapters.fhir.systems import CAF_ID_SYSTEM, CAF_QUESTIONNAIRE
from gateway import CafAction, CafAssessment, CafDomain, CafDomains, Consent

__all__ = ["is_caf", "map_caf"]

_STATUS: Final = {"in-progress": "draft", "completed": "completed", "amended": "completed", "stopped": "closed"}
_DOMAINS: Final = {
    "development-of-child": "development_of_child",
    "parents-and-carers": "parents_and_carers",
    "family-and-environment": "family_and_environment",
}
_DATES: Final = {"started-date": "started_date", "completed-date": "completed_date", "review-date": "review_date"}
_TOP_LEVEL: Final = frozenset({*_DOMAINS, *_DATES, "conclusions", "lead-professional", "action"})


def is_caf(entry: Entry) -> bool:
    """True when the QuestionnaireResponse answers the gateway CAF Questionnaire (any version)."""
    questionnaire = entry.resource.get("questionnaire")
    return isinstance(questionnaire, str) and questionnaire.split("|", 1)[0] == CAF_QUESTIONNAIRE


def _answers(item: dict[str, Any], kind: str) -> list[tuple[int, Any]]:
    return [(index, answer[kind]) for index, answer in dict_items(item.get("answer")) if kind in answer]


def _first_answer(item: dict[str, Any], kind: str) -> tuple[int, Any] | None:
    found = _answers(item, kind)
    return found[0] if found else None


def _caf_id(entry: Entry) -> tuple[str, str] | None:
    identifier = entry.resource.get("identifier")
    if (
        isinstance(identifier, dict)
        and identifier.get("system") == CAF_ID_SYSTEM
        and (value := string_value(identifier.get("value")))
    ):
        return value, "/identifier/value"
    if entry.id:
        return entry.id, "/id"
    return (entry.full_url, "") if entry.full_url else None


def map_caf(
    entry: Entry, consents: list[Entry], pool: ResourcePool, index: int, collector: Collector
) -> CafAssessment | None:
    """Map one CAF QuestionnaireResponse and the Consents attached to it (``index`` is its position)."""
    resource = entry.resource
    canonical = f"/caf_assessments/{index}"
    status = resource.get("status")
    if status not in _STATUS:
        return None  # entered-in-error
    identity = _caf_id(entry)
    if identity is None:
        collector.issue(
            "map/fhir/caf-id-missing", "error", "the CAF QuestionnaireResponse has no id or identifier", entry
        )
        return None
    fields: dict[str, Any] = {"caf_id": identity[0], "status": _STATUS[status]}
    collector.source(f"{canonical}/caf_id", entry, identity[1], "QuestionnaireResponse.identifier")
    collector.source(f"{canonical}/status", entry, "/status", "QuestionnaireResponse.status")
    _read_version(entry, canonical, collector, fields)
    assessor = read_practitioner(
        resource.get("author"),
        pool,
        entry,
        "/author",
        f"{canonical}/assessor",
        collector=collector,
        element="QuestionnaireResponse.author",
    )
    if assessor is not None:
        fields["assessor"] = assessor
    domains, actions = _read_items(entry, pool, canonical, collector, fields)
    fields["domains"] = CafDomains(**domains)
    fields["actions"] = tuple(actions)
    mapped_consents: list[Consent] = []
    for consent_entry in consents:
        consent = map_consent(
            consent_entry, pool, f"{canonical}/consents/{len(mapped_consents)}", collector, for_caf=True
        )
        if consent is not None:
            mapped_consents.append(consent)
    fields["consents"] = tuple(mapped_consents)
    return CafAssessment(**fields)


def _read_version(entry: Entry, canonical: str, collector: Collector, fields: dict[str, Any]) -> None:
    resource = entry.resource
    meta = dict_value(resource.get("meta"))
    version = meta.get("versionId")
    if isinstance(version, str) and version.isascii() and version.isdigit() and 0 < int(version) < 1_000_000:
        fields["version"] = int(version)
        collector.source(f"{canonical}/version", entry, "/meta/versionId", "QuestionnaireResponse.meta.versionId")
    elif version is not None:
        collector.issue(
            "map/fhir/caf-version",
            "warning",
            "meta.versionId is not a positive whole number; version 1 was recorded",
            entry,
            "/meta/versionId",
        )


def _read_items(
    entry: Entry, pool: ResourcePool, canonical: str, collector: Collector, fields: dict[str, Any]
) -> tuple[dict[str, CafDomain], list[CafAction]]:
    """Read the CAF's items into ``fields``; returns the domains and actions."""
    resource = entry.resource
    domains: dict[str, CafDomain] = {}
    actions: list[CafAction] = []
    for item_index, item in dict_items(resource.get("item")):
        link_id = item.get("linkId")
        path = f"/item/{item_index}"
        if link_id in _DOMAINS:
            domains[_DOMAINS[link_id]] = _domain(
                item, entry, path, f"{canonical}/domains/{_DOMAINS[link_id]}", collector
            )
        elif link_id in _DATES:
            found = _first_answer(item, "valueDate")
            if found is not None and (value := read_date(found[1])) is not None:
                fields[_DATES[link_id]] = value
                collector.source(
                    f"{canonical}/{_DATES[link_id]}",
                    entry,
                    f"{path}/answer/{found[0]}",
                    f"QuestionnaireResponse.item:{link_id}",
                )
        elif link_id == "conclusions":
            found = _first_answer(item, "valueString")
            if found is not None and (text := string_value(found[1])):
                fields["conclusions"] = text
                collector.source(
                    f"{canonical}/conclusions",
                    entry,
                    f"{path}/answer/{found[0]}",
                    "QuestionnaireResponse.item:conclusions",
                )
        elif link_id == "lead-professional":
            found = _first_answer(item, "valueReference")
            if found is not None:
                where = f"{path}/answer/{found[0]}/valueReference"
                lead = read_practitioner(
                    found[1],
                    pool,
                    entry,
                    where,
                    f"{canonical}/lead_professional",
                    collector=collector,
                    element="QuestionnaireResponse.item:lead-professional",
                )
                if lead is not None:
                    fields["lead_professional"] = lead
        elif link_id == "action":
            action = _action(item, entry, pool, path, f"{canonical}/actions/{len(actions)}", collector=collector)
            if action is not None:
                actions.append(action)
        else:
            collector.issue(
                "map/fhir/caf-item-unknown",
                "information",
                "an item is not part of the gateway CAF questionnaire; it was ignored",
                entry,
                f"{path}/linkId",
            )
    return domains, actions


def _strings(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(text for _, value in _answers(item, "valueString") if (text := string_value(value)))


def _domain(group: dict[str, Any], entry: Entry, path: str, canonical: str, collector: Collector) -> CafDomain:
    fields: dict[str, Any] = {}
    for index, item in dict_items(group.get("item")):
        link_id = item.get("linkId")
        where = f"{path}/item/{index}"
        if link_id == "summary":
            found = _first_answer(item, "valueString")
            if found is not None and (text := string_value(found[1])):
                fields["summary"] = text
                collector.source(
                    f"{canonical}/summary", entry, f"{where}/answer/{found[0]}", "QuestionnaireResponse.item:summary"
                )
        elif link_id in ("strengths", "needs"):
            fields[link_id] = _strings(item)
            if fields[link_id]:
                collector.source(f"{canonical}/{link_id}", entry, where, f"QuestionnaireResponse.item:{link_id}")
    return CafDomain(**fields)


def _action(
    group: dict[str, Any], entry: Entry, pool: ResourcePool, path: str, canonical: str, *, collector: Collector
) -> CafAction | None:
    fields: dict[str, Any] = {}
    for index, item in dict_items(group.get("item")):
        link_id = item.get("linkId")
        where = f"{path}/item/{index}"
        if link_id == "description":
            found = _first_answer(item, "valueString")
            if found is not None and (text := string_value(found[1])):
                fields["description"] = text
        elif link_id == "due-date":
            found = _first_answer(item, "valueDate")
            if found is not None and (value := read_date(found[1])) is not None:
                fields["due_date"] = value
        elif link_id == "responsible":
            found = _first_answer(item, "valueReference")
            if found is not None:
                responsible = read_practitioner(
                    found[1],
                    pool,
                    entry,
                    f"{where}/answer/{found[0]}/valueReference",
                    f"{canonical}/responsible",
                    collector=collector,
                    element="QuestionnaireResponse.item:responsible",
                )
                if responsible is not None:
                    fields["responsible"] = responsible
    if "description" not in fields:
        collector.issue(
            "map/fhir/caf-action", "warning", "an action has no description; it was not carried", entry, path
        )
        return None
    collector.source(canonical, entry, path, "QuestionnaireResponse.item:action")
    return CafAction(**fields)
