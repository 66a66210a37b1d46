"""References to practitioners and organisations -> canonical ``Practitioner`` and ``Organisation``.

A reference may point at a Practitioner, a PractitionerRole (which adds the role and the organisation)
or an Organization in the submission; or be logical (``Reference.identifier``). A literal reference to
a resource that is not in the submission carries nothing (an information issue says so): a server's
logical id is not a practitioner or organisation code.
"""

from __future__ import annotations

from typing import Any, Final

from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import codings, dict_items, read_contacts, read_names, string_value
from adapters.fhir.pool import ResourcePool
from adapters.fhir.systems import ORGANISATION_SYSTEMS, ORGANISATION_TYPE_SYSTEM, PRACTITIONER_ID_SYSTEM
from gateway import Organisation, Practitioner

__all__ = ["read_organisation", "read_practitioner"]

_CODE_SYSTEM_OF: Final = {system: name for name, system in ORGANISATION_SYSTEMS.items()}


def _organisation_identifier(identifiers: Any) -> tuple[str | None, str | None]:
    """(code, canonical code system) from Identifier[] (a known system first, else the first with a value)."""
    candidates = [item for _, item in dict_items(identifiers) if string_value(item.get("value"))]
    for item in candidates:
        system = _CODE_SYSTEM_OF.get(str(item.get("system")))
        if system is not None:
            return string_value(item.get("value")), system
    return (string_value(candidates[0].get("value")), None) if candidates else (None, None)


def _organisation_from_resource(entry: Entry) -> Organisation | None:
    resource = entry.resource
    code, code_system = _organisation_identifier(resource.get("identifier"))
    kind = None
    for _, concept in dict_items(resource.get("type")):
        for _, coding in codings(concept):
            if coding.get("system") == ORGANISATION_TYPE_SYSTEM:
                kind = string_value(coding.get("code"))
        kind = kind or string_value(concept.get("text"))
    name = string_value(resource.get("name"))
    if not (code or name):
        return None
    return Organisation(code=code, code_system=code_system, name=name, kind=kind)


def _unresolved(reference: dict[str, Any], entry: Entry, path: str, collector: Collector, what: str) -> None:
    if isinstance(reference.get("reference"), str) and not reference["reference"].startswith("#"):
        collector.issue(
            "map/fhir/reference-not-in-submission",
            "information",
            f"the referenced {what} is not in the submission; only what the reference itself says was carried",
            entry,
            f"{path}/reference",
        )


def read_organisation(
    reference: Any, pool: ResourcePool, entry: Entry, path: str, collector: Collector, *, kind: str | None = None
) -> Organisation | None:
    """The organisation a Reference names (resolved, logical or display only), or ``None``."""
    if not isinstance(reference, dict):
        return None
    target = pool.resolve(reference, entry)
    organisation: Organisation | None = None
    if target is not None and target.resource_type == "Organization":
        organisation = _organisation_from_resource(target)
    elif target is not None and target.resource_type == "PractitionerRole":
        # One step only: a PractitionerRole's organisation must be an Organization (no chains, no cycles).
        inner = pool.resolve(target.resource.get("organization"), target)
        if inner is not None and inner.resource_type == "Organization":
            organisation = _organisation_from_resource(inner)
    elif target is None:
        identifier = reference.get("identifier")
        code, code_system = _organisation_identifier([identifier] if isinstance(identifier, dict) else [])
        name = string_value(reference.get("display"))
        if code or name:
            organisation = Organisation(code=code, code_system=code_system, name=name)
        else:
            _unresolved(reference, entry, path, collector, "organisation")
    if organisation is not None and kind is not None and organisation.kind is None:
        organisation = organisation.model_copy(update={"kind": kind})
    return organisation


def _practitioner_id(identifiers: Any) -> str | None:
    candidates = [item for _, item in dict_items(identifiers) if string_value(item.get("value"))]
    for item in candidates:
        if item.get("system") == PRACTITIONER_ID_SYSTEM:
            return string_value(item.get("value"))
    return string_value(candidates[0].get("value")) if candidates else None


def _role_text(concepts: Any) -> str | None:
    for _, concept in dict_items(concepts):
        text = string_value(concept.get("text"))
        if text:
            return text
        for _, coding in codings(concept):
            text = string_value(coding.get("display")) or string_value(coding.get("code"))
            if text:
                return text
    return None


def _from_practitioner(target: Entry, canonical: str, collector: Collector) -> Practitioner:
    resource = target.resource
    # Lineage is recorded once for the whole practitioner; problems inside it are still reported.
    inner = Collector()
    names = read_names(resource.get("name"), target, "/name", f"{canonical}/name", inner, element="Practitioner.name")
    contacts = read_contacts(
        resource.get("telecom"), target, "/telecom", f"{canonical}/contacts", inner, element="Practitioner.telecom"
    )
    collector.issues.extend(inner.issues)
    return Practitioner(
        practitioner_id=_practitioner_id(resource.get("identifier")),
        name=names[0] if names else None,
        contacts=contacts,
    )


def read_practitioner(
    reference: Any, pool: ResourcePool, entry: Entry, path: str, canonical: str, *, collector: Collector, element: str
) -> Practitioner | None:
    """The practitioner a Reference names, with role and organisation when it is a PractitionerRole."""
    if not isinstance(reference, dict):
        return None
    target = pool.resolve(reference, entry)
    practitioner: Practitioner | None = None
    if target is not None and target.resource_type == "Practitioner":
        practitioner = _from_practitioner(target, canonical, collector)
    elif target is not None and target.resource_type == "PractitionerRole":
        role_resource = target.resource
        person = pool.resolve(role_resource.get("practitioner"), target)
        base = (
            _from_practitioner(person, canonical, collector)
            if person is not None and person.resource_type == "Practitioner"
            else Practitioner()
        )
        organisation = read_organisation(role_resource.get("organization"), pool, target, "/organization", collector)
        inner = Collector()
        role_contacts = read_contacts(
            role_resource.get("telecom"),
            target,
            "/telecom",
            f"{canonical}/contacts",
            inner,
            element="PractitionerRole.telecom",
        )
        collector.issues.extend(inner.issues)
        practitioner = base.model_copy(
            update={
                "practitioner_id": base.practitioner_id or _practitioner_id(role_resource.get("identifier")),
                "role": _role_text(role_resource.get("code")),
                "organisation": organisation,
                "contacts": base.contacts + role_contacts,
            }
        )
    elif target is None:
        identifier = reference.get("identifier")
        practitioner_id = _practitioner_id([identifier] if isinstance(identifier, dict) else [])
        if practitioner_id:
            practitioner = Practitioner(practitioner_id=practitioner_id)
        else:
            _unresolved(reference, entry, path, collector, "practitioner")
    else:
        collector.issue(
            "map/fhir/reference-type",
            "warning",
            "the reference should point at a Practitioner or PractitionerRole; it was not carried",
            entry,
            f"{path}/reference",
        )
    if practitioner is None or practitioner == Practitioner():
        return None
    collector.source(canonical, target or entry, "" if target is not None else path, element)
    return practitioner
