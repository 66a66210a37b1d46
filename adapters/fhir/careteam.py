"""CareTeam -> canonical ``Involvement`` (one per practitioner participant, or one for the team).

* ``category``: a CP-IS plan type (``fhir/care-team-category-to-plan-type``) -> ``plan_type``; the
  gateway service-type coding (or the category text, else the team's ``name``) -> ``service_type``.
* ``participant.member`` (Practitioner / PractitionerRole) -> ``practitioner``; ``participant.role``
  coded ``lead-professional`` (gateway care-team-role) -> ``lead_professional``, other role text -> ``role``.
* ``period`` (a participant's own period first) -> ``start``/``end``; ``managingOrganization`` ->
  ``organisation``; ``meta.security`` HL7 sensitivity codes -> ``sensitive_category``; gateway extensions
  carry the consent that allows a sensitive involvement and a recorded safeguarding reason.

A team with several practitioner participants gives several involvements; their ids are the team's id
followed by ``:`` and the participant's index.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import codings, dict_items, extension_values, read_date, string_value
from adapters.fhir.pool import ResourcePool
from adapters.fhir.practitioners import read_organisation, read_practitioner
from adapters.fhir.systems import (
    CARE_TEAM_ROLE_SYSTEM,
    CONSENT_ID_SYSTEM,
    CPIS_PLAN_TYPE_SYSTEM,
    INVOLVEMENT_CONSENT_EXTENSION,
    INVOLVEMENT_ID_SYSTEM,
    SAFEGUARDING_REASON_EXTENSION,
    SENSITIVITY_CODES,
    SENSITIVITY_SYSTEM,
    SERVICE_TYPE_SYSTEM,
)
from adapters.fhir.tables import lookup, table
from gateway import Involvement

__all__ = ["map_care_team"]

_SNOMED: Final = "http://snomed.info/sct"
_SENSITIVE_CATEGORY: Final = {code: category for category, code in SENSITIVITY_CODES.items()}
_PRACTITIONER_TYPES: Final = ("Practitioner", "PractitionerRole")


def _team_id(entry: Entry) -> tuple[str | None, str | None]:
    for index, identifier in dict_items(entry.resource.get("identifier")):
        if identifier.get("system") == INVOLVEMENT_ID_SYSTEM and (value := string_value(identifier.get("value"))):
            return value, f"/identifier/{index}/value"
    return (entry.id, "/id") if entry.id else (None, None)


def _categories(entry: Entry, collector: Collector) -> dict[str, tuple[str, str]]:
    """Canonical field -> (value, path) for plan type and service type."""
    found: dict[str, tuple[str, str]] = {}
    plan_types = table("fhir/care-team-category-to-plan-type")
    for index, concept in dict_items(entry.resource.get("category")):
        for coding_index, coding in codings(concept):
            path = f"/category/{index}/coding/{coding_index}/code"
            system, code = coding.get("system"), coding.get("code")
            if system == CPIS_PLAN_TYPE_SYSTEM and "plan_type" not in found:
                mapped = lookup(
                    "fhir/care-team-category-to-plan-type", code, collector, entry, path, what="CP-IS plan type"
                )
                if mapped is not None:
                    found["plan_type"] = (mapped, path)
            elif system == _SNOMED and isinstance(code, str) and "plan_type" not in found:
                hit = plan_types.lookup(code)
                if hit is not None:
                    found["plan_type"] = (hit.code, path)
            elif system == SERVICE_TYPE_SYSTEM and isinstance(code, str) and "service_type" not in found:
                found["service_type"] = (code, path)
        text = string_value(concept.get("text"))
        if text and "service_type" not in found and not codings(concept):
            found["service_type"] = (text, f"/category/{index}/text")
    return found


def _sensitivity(entry: Entry) -> tuple[str, str] | None:
    meta = entry.resource.get("meta")
    for index, label in dict_items(meta.get("security") if isinstance(meta, dict) else None):
        if label.get("system") == SENSITIVITY_SYSTEM and label.get("code") in _SENSITIVE_CATEGORY:
            return _SENSITIVE_CATEGORY[label["code"]], f"/meta/security/{index}"
    return None


def _consent_id(entry: Entry, pool: ResourcePool) -> tuple[str, str] | None:
    for index, extension in extension_values(entry.resource, INVOLVEMENT_CONSENT_EXTENSION):
        reference = extension.get("valueReference")
        path = f"/extension/{index}/valueReference"
        target = pool.resolve(reference, entry)
        if target is not None and target.resource_type == "Consent":
            for _, identifier in dict_items(target.resource.get("identifier")):
                if identifier.get("system") == CONSENT_ID_SYSTEM and (found := string_value(identifier.get("value"))):
                    return found, path
            if target.id:
                return target.id, path
        logical = reference.get("identifier") if isinstance(reference, dict) else None
        if isinstance(logical, dict) and (value := string_value(logical.get("value"))):
            return value, path
    return None


def _role(participant: dict[str, Any]) -> tuple[bool, str | None]:
    lead = False
    role: str | None = None
    for _, concept in dict_items(participant.get("role")):
        for _, coding in codings(concept):
            if coding.get("system") == CARE_TEAM_ROLE_SYSTEM and coding.get("code") == "lead-professional":
                lead = True
            elif role is None:
                role = string_value(coding.get("display")) or string_value(coding.get("code"))
        text = string_value(concept.get("text"))
        if text and not any(c.get("system") == CARE_TEAM_ROLE_SYSTEM for _, c in codings(concept)):
            role = text
    return lead, role


def _team_fields(entry: Entry, pool: ResourcePool, collector: Collector) -> tuple[dict[str, Any], dict[str, str]]:
    """What every involvement of the team shares: canonical field -> value, and -> where it came from."""
    resource = entry.resource
    team: dict[str, Any] = {}
    paths: dict[str, str] = {}
    categories = _categories(entry, collector)
    for field, (value, path) in categories.items():
        team[field] = value
        paths[field] = path
    if "service_type" not in team and (team_name := string_value(resource.get("name"))):
        team["service_type"], paths["service_type"] = team_name, "/name"
    if "service_type" not in team:
        collector.issue(
            "map/fhir/service-type-missing",
            "warning",
            "the CareTeam has no service type (gateway service-type category, category text or name); "
            "it is recorded as 'unspecified'",
            entry,
            "/category",
        )
        team["service_type"], paths["service_type"] = "unspecified", ""
    if (sensitive := _sensitivity(entry)) is not None:
        team["sensitive_category"], paths["sensitive_category"] = sensitive
    if (consent := _consent_id(entry, pool)) is not None:
        team["consent_id"], paths["consent_id"] = consent
    for index, extension in extension_values(resource, SAFEGUARDING_REASON_EXTENSION):
        if reason := string_value(extension.get("valueString")):
            team["safeguarding_reason"], paths["safeguarding_reason"] = reason, f"/extension/{index}/valueString"
    organisation = None
    for index, reference in dict_items(resource.get("managingOrganization"))[:1]:
        organisation = read_organisation(reference, pool, entry, f"/managingOrganization/{index}", collector)
        if organisation is not None:
            team["organisation"], paths["organisation"] = organisation, f"/managingOrganization/{index}"
    return team, paths


def map_care_team(entry: Entry, pool: ResourcePool, first_index: int, collector: Collector) -> list[Involvement]:
    """Map one CareTeam; ``first_index`` is the position of its first involvement in the record."""
    resource = entry.resource
    if resource.get("status") == "entered-in-error":
        return []
    team, paths = _team_fields(entry, pool, collector)
    team_start, team_end = _period(resource)
    team_id, id_path = _team_id(entry)

    members = [
        (index, participant)
        for index, participant in dict_items(resource.get("participant"))
        if _member_is_practitioner(participant, pool, entry)
    ]
    involvements: list[Involvement] = []
    slots: list[tuple[int | None, dict[str, Any]]] = list(members) or [(None, {})]
    for position, (index, participant) in enumerate(slots):
        canonical = f"/involvements/{first_index + position}"
        fields = dict(team)
        for name, path in paths.items():
            collector.source(f"{canonical}/{name}", entry, path, f"CareTeam.{name}")
        if team_id is not None and id_path is not None:
            fields["involvement_id"] = team_id if len(members) <= 1 else f"{team_id}:{index}"
            collector.source(f"{canonical}/involvement_id", entry, id_path, "CareTeam.identifier")
        start, end = team_start, team_end
        start_path, end_path = "/period/start", "/period/end"
        if index is not None:
            where = f"/participant/{index}"
            practitioner = read_practitioner(
                participant.get("member"),
                pool,
                entry,
                f"{where}/member",
                f"{canonical}/practitioner",
                collector=collector,
                element="CareTeam.participant.member",
            )
            if practitioner is not None:
                fields["practitioner"] = practitioner
            lead, role = _role(participant)
            if lead:
                fields["lead_professional"] = True
                collector.source(f"{canonical}/lead_professional", entry, f"{where}/role", "CareTeam.participant.role")
            if role is not None:
                fields["role"] = role
                collector.source(f"{canonical}/role", entry, f"{where}/role", "CareTeam.participant.role")
            own_start, own_end = _period(participant)
            if own_start is not None:
                start, start_path = own_start, f"{where}/period/start"
            if own_end is not None:
                end, end_path = own_end, f"{where}/period/end"
        if start is not None:
            fields["start"] = start
            collector.source(f"{canonical}/start", entry, start_path, "CareTeam.period")
        if end is not None:
            fields["end"] = end
            collector.source(f"{canonical}/end", entry, end_path, "CareTeam.period")
        involvements.append(Involvement(**fields))
    return involvements


def _member_is_practitioner(participant: dict[str, Any], pool: ResourcePool, entry: Entry) -> bool:
    """A practitioner member, or no member but a role (a post, e.g. the lead professional, not yet filled)."""
    member = participant.get("member")
    if not isinstance(member, dict):
        return member is None and bool(participant.get("role"))
    target = pool.resolve(member, entry)
    if target is not None:
        return target.resource_type in _PRACTITIONER_TYPES
    reference = member.get("reference")
    if isinstance(reference, str):
        return reference.split("/")[-2:-1] in (["Practitioner"], ["PractitionerRole"])
    return member.get("type") in _PRACTITIONER_TYPES or isinstance(member.get("identifier"), dict)


def _period(element: dict[str, Any]) -> tuple[date | None, date | None]:
    period = element.get("period")
    if not isinstance(period, dict):
        return None, None
    return read_date(period.get("start")), read_date(period.get("end"))
