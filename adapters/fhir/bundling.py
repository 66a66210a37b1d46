"""Building a FHIR Bundle as plain dicts: deterministic ``fullUrl`` values, shared practitioner and
organisation entries, and the datatype helpers the writer's resource builders use."""

from __future__ import annotations

import re
import uuid
from typing import Any, Final, Literal

import orjson

from adapters.fhir.systems import ORGANISATION_SYSTEMS, ORGANISATION_TYPE_SYSTEM, PRACTITIONER_ID_SYSTEM
from gateway import ContactDetail, Organisation, PersonName, Practitioner

__all__ = ["BundleBuilder", "BundleType", "fhir_code", "human_name", "telecom"]

_NAMESPACE: Final = uuid.UUID("6f1b3c2e-8d4a-5b7e-9c0f-1a2b3c4d5e6f")
_CODE: Final = re.compile(r"[^\s]+( [^\s]+)*")
_NAME_USE: Final = {"usual": "usual", "former": "old", "preferred": "nickname", "alias": "temp"}
_TELECOM_USE: Final = {"home": "home", "work": "work", "mobile": "mobile", "other": "temp"}

BundleType = Literal["collection", "transaction"]


def fhir_code(value: str | None) -> str | None:
    """``value`` when it is a valid FHIR ``code`` (no leading, trailing or double whitespace)."""
    return value if value is not None and _CODE.fullmatch(value) else None


def human_name(name: PersonName) -> dict[str, Any]:
    """A canonical name as a HumanName."""
    result: dict[str, Any] = {"use": _NAME_USE[name.use]}
    if name.family:
        result["family"] = name.family
    if name.given:
        result["given"] = list(name.given)
    return result


def telecom(contact: ContactDetail) -> dict[str, Any]:
    """A canonical contact as a ContactPoint."""
    result: dict[str, Any] = {"system": contact.system, "value": contact.value}
    if contact.use is not None:
        result["use"] = _TELECOM_USE[contact.use]
    return result


class BundleBuilder:
    """Collects the entries of one Bundle; shared resources (practitioners, organisations) appear once."""

    def __init__(self, bundle_type: BundleType) -> None:
        self.bundle_type = bundle_type
        self.entries: list[dict[str, Any]] = []
        self._shared: dict[tuple[str, str], str] = {}
        self._shared_entries: list[dict[str, Any]] = []

    def full_url(self, *key: object) -> str:
        """A deterministic ``urn:uuid`` for the resource identified by ``key``."""
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(part) for part in key))}"

    def add(self, full_url: str, resource: dict[str, Any]) -> str:
        """Append an entry; returns its ``fullUrl`` for references."""
        self.entries.append(self._entry(full_url, resource))
        return full_url

    def _entry(self, full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"fullUrl": full_url, "resource": resource}
        if self.bundle_type == "transaction":
            entry["request"] = {"method": "POST", "url": resource["resourceType"]}
        return entry

    def _share(self, resource: dict[str, Any]) -> str:
        key = (resource["resourceType"], orjson.dumps(resource, option=orjson.OPT_SORT_KEYS).decode())
        full_url = self._shared.get(key)
        if full_url is None:
            full_url = self.full_url("shared", *key)
            self._shared[key] = full_url
            self._shared_entries.append(self._entry(full_url, resource))
        return full_url

    def organisation(self, organisation: Organisation) -> dict[str, Any]:
        """A Reference to an Organization entry for ``organisation``."""
        resource: dict[str, Any] = {"resourceType": "Organization"}
        if organisation.code:
            identifier: dict[str, Any] = {"value": organisation.code}
            if organisation.code_system is not None:
                identifier["system"] = ORGANISATION_SYSTEMS[organisation.code_system]
            resource["identifier"] = [identifier]
        if organisation.kind:
            code = fhir_code(organisation.kind)
            resource["type"] = [
                {"coding": [{"system": ORGANISATION_TYPE_SYSTEM, "code": code}]}
                if code
                else {"text": organisation.kind}
            ]
        if organisation.name:
            resource["name"] = organisation.name
        return {"reference": self._share(resource)}

    def practitioner(self, practitioner: Practitioner) -> dict[str, Any]:
        """A Reference to a Practitioner entry, or to a PractitionerRole when a role or organisation is known."""
        resource: dict[str, Any] = {"resourceType": "Practitioner"}
        if practitioner.practitioner_id:
            resource["identifier"] = [{"system": PRACTITIONER_ID_SYSTEM, "value": practitioner.practitioner_id}]
        if practitioner.name is not None and (practitioner.name.family or practitioner.name.given):
            resource["name"] = [human_name(practitioner.name)]
        if practitioner.contacts:
            resource["telecom"] = [telecom(contact) for contact in practitioner.contacts]
        reference = {"reference": self._share(resource)}
        if practitioner.role is None and practitioner.organisation is None:
            return reference
        role: dict[str, Any] = {"resourceType": "PractitionerRole", "practitioner": reference}
        if practitioner.organisation is not None:
            role["organization"] = self.organisation(practitioner.organisation)
        if practitioner.role:
            role["code"] = [{"text": practitioner.role}]
        return {"reference": self._share(role)}

    def bundle(self) -> dict[str, Any]:
        """The Bundle resource."""
        return {"resourceType": "Bundle", "type": self.bundle_type, "entry": self.entries + self._shared_entries}
