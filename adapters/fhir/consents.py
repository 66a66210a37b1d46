"""FHIR Consent -> canonical ``Consent``.

* ``status``: ``active`` = given; ``inactive``/``rejected`` = withdrawn (refused), the withdrawal time
  being ``provision.period.end``; ``proposed``/``draft`` (not yet given) and ``entered-in-error`` are
  not carried. A withdrawn consent with no date is carried as withdrawn from the moment it was given
  (the safe reading) with a warning.
* ``performer[0]``: the child (Patient) or a RelatedPerson (in the submission or ``contained``) gave it;
  a parent-like relationship makes ``given_by_role`` ``parent``, any other ``carer``.
* ``dateTime`` (else ``provision.period.start``) -> ``given_at``; a date without a time is taken as
  00:00 UTC that day (information issue). ``provision.period.end`` -> ``withdrawn_at``.
* ``provision.actor`` with role IRCP/PRCP (information recipient) -> ``scope`` (organisation codes).
* ``category`` coding in the gateway consent-purpose system -> ``purpose``; the gateway extension
  ``consent-obtained-by`` -> ``obtained_by``. ``provision.type: deny`` is not carried (no consent, no
  sharing).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, Final

from adapters.fhir.carers import read_relationship
from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import (
    codings,
    dict_items,
    dict_value,
    extension_values,
    read_date,
    read_datetime,
    read_names,
    string_value,
)
from adapters.fhir.pool import ResourcePool
from adapters.fhir.practitioners import read_organisation, read_practitioner
from adapters.fhir.systems import (
    CONSENT_ID_SYSTEM,
    CONSENT_OBTAINED_BY_EXTENSION,
    CONSENT_PURPOSE_SYSTEM,
    PARTICIPATION_TYPE_SYSTEM,
)
from gateway import Consent

__all__ = ["PARENT_RELATIONSHIPS", "consent_id", "map_consent"]

PARENT_RELATIONSHIPS: Final = frozenset({"mother", "father", "parent", "step-parent", "adoptive-parent"})
_PURPOSES: Final = frozenset({"caf_sharing", "sensitive_service", "information_sharing"})
_RECIPIENT_ROLES: Final = frozenset({"IRCP", "PRCP"})
_WITHDRAWN: Final = frozenset({"inactive", "rejected"})


def consent_id(entry: Entry) -> tuple[str, str] | None:
    """The consent's id (gateway identifier, else resource id, else fullUrl) and where it came from."""
    for index, identifier in dict_items(entry.resource.get("identifier")):
        if identifier.get("system") == CONSENT_ID_SYSTEM and (value := string_value(identifier.get("value"))):
            return value, f"/identifier/{index}/value"
    if entry.id:
        return entry.id, "/id"
    return (entry.full_url, "") if entry.full_url else None


def _instant(value: Any, entry: Entry, path: str, collector: Collector) -> datetime | None:
    exact = read_datetime(value)
    if exact is not None:
        return exact
    day = read_date(value)
    if day is None:
        return None
    collector.issue(
        "map/fhir/time-assumed",
        "information",
        "a consent date has no time; 00:00 UTC that day was used",
        entry,
        path,
    )
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _giver(entry: Entry, pool: ResourcePool, canonical: str, collector: Collector) -> dict[str, Any] | None:
    for index, reference in dict_items(entry.resource.get("performer"))[:1]:
        path = f"/performer/{index}"
        target = pool.resolve(reference, entry)
        if target is not None and target.resource_type == "Patient":
            collector.source(f"{canonical}/given_by_role", entry, path, "Consent.performer")
            return {"given_by_role": "child"}
        if target is not None and target.resource_type == "RelatedPerson":
            relationship, _ = read_relationship(target.resource.get("relationship"), target, "/relationship", collector)
            names = read_names(
                target.resource.get("name"),
                target,
                "/name",
                f"{canonical}/given_by_name",
                Collector(),
                element="RelatedPerson.name",
            )
            collector.source(f"{canonical}/given_by_role", entry, path, "Consent.performer")
            giver: dict[str, Any] = {"given_by_role": "parent" if relationship in PARENT_RELATIONSHIPS else "carer"}
            if names:
                giver["given_by_name"] = names[0]
                collector.source(f"{canonical}/given_by_name", target, "/name/0", "RelatedPerson.name")
            return giver
    collector.issue(
        "map/fhir/consent-giver",
        "error",
        "Consent.performer must reference the child (Patient) or a RelatedPerson in the submission; "
        "the consent was not carried",
        entry,
        "/performer",
    )
    return None


def map_consent(
    entry: Entry, pool: ResourcePool, canonical: str, collector: Collector, *, for_caf: bool
) -> Consent | None:
    """Map one Consent (``canonical`` is its pointer, e.g. ``/caf_assessments/0/consents/1``)."""
    resource = entry.resource
    status = resource.get("status")
    if status not in ("active", *_WITHDRAWN):
        if status != "entered-in-error":
            collector.issue(
                "map/fhir/consent-not-given",
                "information",
                "the Consent is not (yet) in force; it was not carried",
                entry,
                "/status",
            )
        return None
    provision = dict_value(resource.get("provision"))
    if provision.get("type") == "deny":
        collector.issue(
            "map/fhir/consent-deny",
            "warning",
            "a deny provision is not carried (no consent means no sharing)",
            entry,
            "/provision/type",
        )
        return None
    identity = consent_id(entry)
    if identity is None:
        collector.issue("map/fhir/consent-id-missing", "error", "the Consent has no id or identifier", entry)
        return None
    giver = _giver(entry, pool, canonical, collector)
    if giver is None:
        return None
    period = dict_value(provision.get("period"))
    given_path = "/dateTime" if resource.get("dateTime") is not None else "/provision/period/start"
    given_at = _instant(resource.get("dateTime") or period.get("start"), entry, given_path, collector)
    if given_at is None:
        collector.issue(
            "map/fhir/consent-date-missing",
            "error",
            "the Consent has no dateTime or provision.period.start; it was not carried",
            entry,
        )
        return None
    fields: dict[str, Any] = {"consent_id": identity[0], "given_at": given_at, **giver}
    collector.source(f"{canonical}/consent_id", entry, identity[1], "Consent.identifier")
    collector.source(f"{canonical}/given_at", entry, given_path, "Consent.dateTime")
    withdrawn_at = _instant(period.get("end"), entry, "/provision/period/end", collector)
    if withdrawn_at is not None:
        fields["withdrawn_at"] = max(withdrawn_at, given_at)
        collector.source(f"{canonical}/withdrawn_at", entry, "/provision/period/end", "Consent.provision.period.end")
    elif status in _WITHDRAWN:
        collector.issue(
            "map/fhir/withdrawal-date-missing",
            "warning",
            "the Consent is withdrawn or refused but gives no provision.period.end; "
            "it is treated as withdrawn since it was given",
            entry,
            "/status",
        )
        fields["withdrawn_at"] = given_at
        collector.source(f"{canonical}/withdrawn_at", entry, "/status", "Consent.status")
    fields["purpose"] = "caf_sharing" if for_caf else "information_sharing"
    for index, concept in dict_items(resource.get("category")):
        for coding_index, coding in codings(concept):
            if coding.get("system") == CONSENT_PURPOSE_SYSTEM and coding.get("code") in _PURPOSES:
                fields["purpose"] = coding["code"]
                collector.source(
                    f"{canonical}/purpose", entry, f"/category/{index}/coding/{coding_index}", "Consent.category"
                )
    for index, extension in extension_values(resource, CONSENT_OBTAINED_BY_EXTENSION):
        obtained_by = read_practitioner(
            extension.get("valueReference"),
            pool,
            entry,
            f"/extension/{index}/valueReference",
            f"{canonical}/obtained_by",
            collector=collector,
            element="Consent.extension:obtainedBy",
        )
        if obtained_by is not None:
            fields["obtained_by"] = obtained_by
            break
    fields["scope"] = _scope(entry, provision, pool, canonical, collector)
    return Consent(**fields)


def _scope(
    entry: Entry, provision: dict[str, Any], pool: ResourcePool, canonical: str, collector: Collector
) -> tuple[str, ...]:
    scope: list[str] = []
    for index, actor in dict_items(provision.get("actor")):
        roles = {
            coding.get("code")
            for _, coding in codings(actor.get("role"))
            if coding.get("system") == PARTICIPATION_TYPE_SYSTEM
        }
        if not roles & _RECIPIENT_ROLES:
            continue
        path = f"/provision/actor/{index}/reference"
        organisation = read_organisation(actor.get("reference"), pool, entry, path, collector)
        if organisation is None or organisation.code is None:
            collector.issue(
                "map/fhir/consent-scope",
                "warning",
                "a consent recipient has no organisation code; it was left out of the consent's scope",
                entry,
                path,
            )
            continue
        if organisation.code not in scope:
            collector.source(f"{canonical}/scope/{len(scope)}", entry, path, "Consent.provision.actor")
            scope.append(organisation.code)
    return tuple(scope)
