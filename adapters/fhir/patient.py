"""UK Core Patient -> canonical ``Child``.

* ``identifier``: the NHS number (``https://fhir.nhs.uk/Id/nhs-number``) is carried *as sent*, valid or
  not (its modulus-11 check is a conformance rule); the UK Core verification-status extension on it gives
  ``nhs_number_verification``. The UPN system gives ``upn`` (``use: old`` -> ``former_upns``); the
  gateway's LA-child-id systems give ``local_ids``. Other identifiers are not the gateway's concern.
* ``name``, ``telecom``, ``address``, ``birthDate``, ``deceasedDateTime``, ``gender`` (checked against
  AdministrativeGender here, since fhir.resources does not enforce it).
* The UK Core ethnic category extension: a DfE coding is taken as it is; otherwise the NHS ethnic
  category is mapped through ``fhir/nhs-ethnic-category-to-dfe-ethnicity``.
* The gateway extension ``expected-birth-date`` (an unborn child) -> ``expected_birth_date``.
* ``generalPractitioner`` -> ``gp_practice``; ``meta.security`` restricted (``R``/``V``) -> ``shielded``,
  with the gateway extension ``shielding-reason`` -> ``shielding_reason``.
"""

from __future__ import annotations

from typing import Any, Final

from adapters.fhir.context import Collector, Entry
from adapters.fhir.datatypes import (
    codings,
    dict_items,
    dict_value,
    extension_values,
    read_addresses,
    read_contacts,
    read_date,
    read_names,
    string_value,
)
from adapters.fhir.pool import ResourcePool
from adapters.fhir.practitioners import read_organisation
from adapters.fhir.systems import (
    CONFIDENTIALITY_SYSTEM,
    DFE_ETHNICITY,
    ETHNIC_CATEGORY_EXTENSION,
    EXPECTED_BIRTH_DATE_EXTENSION,
    LA_CHILD_ID_SYSTEM_PREFIX,
    NHS_ETHNIC_CATEGORY,
    NHS_NUMBER_SYSTEM,
    NHS_NUMBER_VERIFICATION_EXTENSION,
    NHS_NUMBER_VERIFICATION_SYSTEM,
    SHIELDING_REASON_EXTENSION,
    UPN_SYSTEM,
)
from adapters.fhir.tables import lookup, table
from gateway import Child, Coding, LocalId

__all__ = ["map_patient"]

_RESTRICTED: Final = frozenset({"R", "V"})


def map_patient(entry: Entry, pool: ResourcePool, collector: Collector) -> Child:
    """Map one validated Patient resource."""
    resource = entry.resource
    fields: dict[str, Any] = {}
    _identifiers(entry, collector, fields)
    fields["names"] = read_names(
        resource.get("name"), entry, "/name", "/child/names", collector, element="Patient.name"
    )
    fields["contacts"] = read_contacts(
        resource.get("telecom"), entry, "/telecom", "/child/contacts", collector, element="Patient.telecom"
    )
    fields["addresses"] = read_addresses(
        resource.get("address"), entry, "/address", "/child/addresses", collector, element="Patient.address"
    )
    _dates(entry, collector, fields)
    gender = resource.get("gender")
    if gender is not None:
        sex = lookup(
            "fhir/administrative-gender-to-sex",
            gender,
            collector,
            entry,
            "/gender",
            what="Patient.gender",
            canonical="/child/sex",
        )
        if sex is not None:
            fields["sex"] = sex
            collector.source("/child/sex", entry, "/gender", "Patient.gender")
    ethnicity = _ethnicity(entry, collector)
    if ethnicity is not None:
        fields["ethnicity"] = ethnicity
    for index, reference in dict_items(resource.get("generalPractitioner"))[:1]:
        practice = read_organisation(
            reference, pool, entry, f"/generalPractitioner/{index}", collector, kind="gp-practice"
        )
        if practice is not None:
            fields["gp_practice"] = practice
            collector.source(
                "/child/gp_practice", entry, f"/generalPractitioner/{index}", "Patient.generalPractitioner"
            )
    meta = dict_value(resource.get("meta"))
    for index, label in dict_items(meta.get("security")):
        if label.get("system") == CONFIDENTIALITY_SYSTEM and label.get("code") in _RESTRICTED:
            fields["shielded"] = True
            collector.source("/child/shielded", entry, f"/meta/security/{index}", "Patient.meta.security")
            break
    for index, extension in extension_values(resource, SHIELDING_REASON_EXTENSION):
        if reason := string_value(extension.get("valueString")):
            fields["shielding_reason"] = reason
            path = f"/extension/{index}/valueString"
            collector.source("/child/shielding_reason", entry, path, "Patient.extension:shieldingReason")
            break
    return Child(**fields)


def _identifiers(entry: Entry, collector: Collector, fields: dict[str, Any]) -> None:
    local_ids: list[LocalId] = []
    former_upns: list[str] = []
    for index, identifier in dict_items(entry.resource.get("identifier")):
        where = f"/identifier/{index}"
        system = identifier.get("system")
        value = string_value(identifier.get("value"))
        if system in (NHS_NUMBER_SYSTEM, None):
            _verification(identifier, entry, where, collector, fields)
        if value is None:
            continue
        if system == NHS_NUMBER_SYSTEM:
            if "nhs_number" in fields:
                collector.issue(
                    "map/fhir/nhs-number-repeated",
                    "warning",
                    "more than one NHS number; the first was kept",
                    entry,
                    where,
                )
                continue
            fields["nhs_number"] = value
            collector.source("/child/nhs_number", entry, f"{where}/value", "Patient.identifier:nhsNumber")
        elif system == UPN_SYSTEM:
            if identifier.get("use") == "old":
                collector.source(
                    f"/child/former_upns/{len(former_upns)}", entry, f"{where}/value", "Patient.identifier:upn"
                )
                former_upns.append(value)
            elif "upn" not in fields:
                fields["upn"] = value
                collector.source("/child/upn", entry, f"{where}/value", "Patient.identifier:upn")
        elif isinstance(system, str) and system.startswith(LA_CHILD_ID_SYSTEM_PREFIX):
            la_code = system.removeprefix(LA_CHILD_ID_SYSTEM_PREFIX)
            if len(la_code) == 3 and la_code.isascii() and la_code.isdigit():
                collector.source(f"/child/local_ids/{len(local_ids)}", entry, where, "Patient.identifier:laChildId")
                local_ids.append(LocalId(la_code=la_code, la_child_id=value))
            else:
                collector.issue(
                    "map/fhir/la-child-id-system",
                    "error",
                    "an LA child id's system must end in the three-digit DfE LA number",
                    entry,
                    f"{where}/system",
                )
    fields["local_ids"] = tuple(local_ids)
    fields["former_upns"] = tuple(former_upns)


def _verification(
    identifier: dict[str, Any], entry: Entry, where: str, collector: Collector, fields: dict[str, Any]
) -> None:
    for ext_index, extension in extension_values(identifier, NHS_NUMBER_VERIFICATION_EXTENSION):
        ext_path = f"{where}/extension/{ext_index}/valueCodeableConcept"
        found = [
            (i, c)
            for i, c in codings(extension.get("valueCodeableConcept"))
            if c.get("system") == NHS_NUMBER_VERIFICATION_SYSTEM
        ]
        if not found:
            collector.issue(
                "map/fhir/code-system",
                "warning",
                "the NHS number verification status has no coding from the UK Core England code system",
                entry,
                ext_path,
            )
            continue
        coding_index, coding = found[0]
        path = f"{ext_path}/coding/{coding_index}/code"
        status = lookup(
            "fhir/nhs-number-verification-status",
            coding.get("code"),
            collector,
            entry,
            path,
            what="NHS number verification status",
            canonical="/child/nhs_number_verification",
        )
        if status is not None and "nhs_number_verification" not in fields:
            fields["nhs_number_verification"] = status
            collector.source(
                "/child/nhs_number_verification", entry, path, "Patient.identifier:nhsNumber.verificationStatus"
            )


def _dates(entry: Entry, collector: Collector, fields: dict[str, Any]) -> None:
    resource = entry.resource
    for element, canonical in (("birthDate", "birth_date"), ("deceasedDateTime", "death_date")):
        raw = resource.get(element)
        if raw is None:
            continue
        value = read_date(raw)
        if value is None:
            collector.issue(
                "map/fhir/partial-date",
                "warning",
                f"Patient.{element} is not a full date; it was not carried",
                entry,
                f"/{element}",
                canonical_path=f"/child/{canonical}",
            )
            continue
        fields[canonical] = value
        collector.source(f"/child/{canonical}", entry, f"/{element}", f"Patient.{element}")
    for index, extension in extension_values(resource, EXPECTED_BIRTH_DATE_EXTENSION):
        expected = read_date(extension.get("valueDate"))
        if expected is not None:
            fields["expected_birth_date"] = expected
            collector.source(
                "/child/expected_birth_date",
                entry,
                f"/extension/{index}/valueDate",
                "Patient.extension:expectedBirthDate",
            )
            break
    if resource.get("deceasedBoolean") is True and "death_date" not in fields:
        collector.issue(
            "map/fhir/death-date-missing",
            "warning",
            "Patient.deceasedBoolean is true but no date of death is given; the canonical record needs the date",
            entry,
            "/deceasedBoolean",
        )


def _ethnicity(entry: Entry, collector: Collector) -> Coding | None:
    for ext_index, extension in extension_values(entry.resource, ETHNIC_CATEGORY_EXTENSION):
        concept_path = f"/extension/{ext_index}/valueCodeableConcept"
        found = codings(extension.get("valueCodeableConcept"))
        dfe_codes = table("fhir/dfe-ethnicity-to-nhs-ethnic-category")
        for index, coding in found:
            code = coding.get("code")
            if coding.get("system") == DFE_ETHNICITY and isinstance(code, str) and dfe_codes.lookup(code) is not None:
                collector.source(
                    "/child/ethnicity", entry, f"{concept_path}/coding/{index}", "Patient.extension:ethnicCategory"
                )
                return Coding(system=DFE_ETHNICITY, code=code)
        for index, coding in found:
            if coding.get("system") == NHS_ETHNIC_CATEGORY:
                path = f"{concept_path}/coding/{index}/code"
                mapped = lookup(
                    "fhir/nhs-ethnic-category-to-dfe-ethnicity",
                    coding.get("code"),
                    collector,
                    entry,
                    path,
                    what="ethnic category",
                    canonical="/child/ethnicity",
                )
                if mapped is None:
                    return None
                collector.source("/child/ethnicity", entry, path, "Patient.extension:ethnicCategory")
                return Coding(system=DFE_ETHNICITY, code=mapped)
        collector.issue(
            "map/fhir/code-system",
            "warning",
            "the ethnic category has no coding from the NHS ethnic category (England) or DfE ethnicity code systems",
            entry,
            concept_path,
        )
    return None
