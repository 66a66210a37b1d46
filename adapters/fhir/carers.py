"""RelatedPerson (and Patient.contact) -> canonical ``Carer``.

The relationship comes from a UK Core PersonRelationshipType coding (HL7 v3 RoleCode or UK Core
AdditionalPersonRelationshipRole) through ``fhir/person-relationship-to-carer-relationship``; with no
coding, ``relationship.text`` is carried as written. Parental responsibility and living with the child
are gateway extensions (no UK Core element carries them).
"""

from __future__ import annotations

from typing import Any

from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import (
    codings,
    dict_items,
    extension_values,
    read_addresses,
    read_contacts,
    read_names,
    string_value,
)
from adapters.fhir.systems import (
    CARER_ID_SYSTEM,
    LIVES_WITH_CHILD_EXTENSION,
    PARENTAL_RESPONSIBILITY_EXTENSION,
    RELATIONSHIP_SYSTEMS,
    V2_CONTACT_ROLE_SYSTEM,
)
from adapters.fhir.tables import lookup
from gateway import Carer

__all__ = ["map_patient_contact", "map_related_person", "read_relationship"]


def read_relationship(
    concepts: Any, entry: Entry, path: str, collector: Collector, canonical: str | None = None
) -> tuple[str | None, str | None]:
    """(canonical relationship, pointer it came from) from CodeableConcept[]; issues for unknown codes."""
    fallback: tuple[str | None, str | None] = (None, None)
    for index, concept in dict_items(concepts):
        for coding_index, coding in codings(concept):
            where = f"{path}/{index}/coding/{coding_index}"
            system = coding.get("system")
            if system in RELATIONSHIP_SYSTEMS:
                mapped = lookup(
                    "fhir/person-relationship-to-carer-relationship",
                    coding.get("code"),
                    collector,
                    entry,
                    f"{where}/code",
                    what="relationship",
                    canonical=canonical,
                )
                if mapped is not None:
                    return mapped, where
            elif system != V2_CONTACT_ROLE_SYSTEM:
                # v2-0131 contact roles (emergency contact, next of kin ...) say what the person does, not who
                # they are; other systems are not the UK Core relationship value set.
                collector.issue(
                    "map/fhir/code-system",
                    "information",
                    "a relationship coding is not from the UK Core person relationship code systems; it was ignored",
                    entry,
                    where,
                )
        text = string_value(concept.get("text"))
        if text and fallback[0] is None and not codings(concept):
            fallback = (text, f"{path}/{index}/text")
    return fallback


def _boolean_extension(resource: dict[str, Any], url: str) -> tuple[bool | None, str | None]:
    for index, extension in extension_values(resource, url):
        value = extension.get("valueBoolean")
        if isinstance(value, bool):
            return value, f"/extension/{index}/valueBoolean"
    return None, None


def map_related_person(entry: Entry, canonical: str, collector: Collector) -> Carer:
    """Map one RelatedPerson whose ``patient`` is the child; ``canonical`` is e.g. ``/carers/0``."""
    resource = entry.resource
    fields: dict[str, Any] = {"carer_id": None}
    for index, identifier in dict_items(resource.get("identifier")):
        if identifier.get("system") == CARER_ID_SYSTEM and (value := string_value(identifier.get("value"))):
            fields["carer_id"] = value
            collector.source(f"{canonical}/carer_id", entry, f"/identifier/{index}/value", "RelatedPerson.identifier")
            break
    if fields["carer_id"] is None and entry.id:
        fields["carer_id"] = entry.id
        collector.source(f"{canonical}/carer_id", entry, "/id", "RelatedPerson.id")
    relationship, where = read_relationship(
        resource.get("relationship"), entry, "/relationship", collector, f"{canonical}/relationship"
    )
    if relationship is not None and where is not None:
        fields["relationship"] = relationship
        collector.source(f"{canonical}/relationship", entry, where, "RelatedPerson.relationship")
    for url, name in (
        (PARENTAL_RESPONSIBILITY_EXTENSION, "parental_responsibility"),
        (LIVES_WITH_CHILD_EXTENSION, "lives_with_child"),
    ):
        flag, path = _boolean_extension(resource, url)
        if flag is not None and path is not None:
            fields[name] = flag
            collector.source(f"{canonical}/{name}", entry, path, f"RelatedPerson.extension:{name}")
    fields["names"] = read_names(
        resource.get("name"), entry, "/name", f"{canonical}/names", collector, element="RelatedPerson.name"
    )
    fields["contacts"] = read_contacts(
        resource.get("telecom"), entry, "/telecom", f"{canonical}/contacts", collector, element="RelatedPerson.telecom"
    )
    fields["addresses"] = read_addresses(
        resource.get("address"), entry, "/address", f"{canonical}/addresses", collector, element="RelatedPerson.address"
    )
    return Carer(**fields)


def map_patient_contact(entry: Entry, index: int, canonical: str, collector: Collector) -> Carer | None:
    """Map ``Patient.contact[index]`` (a contact party of the child) to a carer, when it names a person."""
    contact = entry.resource["contact"][index]
    path = f"/contact/{index}"
    relationship, where = read_relationship(
        contact.get("relationship"), entry, f"{path}/relationship", collector, f"{canonical}/relationship"
    )
    names = read_names(
        contact.get("name"),
        entry,
        f"{path}/name",
        f"{canonical}/names",
        collector,
        element="Patient.contact.name",
        single=True,
    )
    if not names:
        return None
    if relationship is not None and where is not None:
        collector.source(f"{canonical}/relationship", entry, where, "Patient.contact.relationship")
    contacts = read_contacts(
        contact.get("telecom"),
        entry,
        f"{path}/telecom",
        f"{canonical}/contacts",
        collector,
        element="Patient.contact.telecom",
    )
    addresses = read_addresses(
        contact.get("address"),
        entry,
        f"{path}/address",
        f"{canonical}/addresses",
        collector,
        element="Patient.contact.address",
        single=True,
    )
    return Carer(names=names, relationship=relationship, contacts=contacts, addresses=addresses)
