"""URIs the FHIR adapter reads and writes: UK Core and NHS systems, and the gateway's own.

Everything here is a module-level constant; the gateway's URIs from ``gateway.codes`` are re-exported so
the adapter's modules import every URI from one place. The gateway's own identifier systems, code
systems and extensions live under :data:`GATEWAY_BASE` and are documented in ``docs/formats/fhir-r4-json.md``.
They carry canonical fields no UK Core element carries (assessment ids, parental responsibility, consent
"obtained by" ...), so that canonical -> FHIR -> canonical keeps them.
"""

from __future__ import annotations

from typing import Final

from gateway.codes import DFE_ETHNICITY, NHS_ETHNIC_CATEGORY, NHS_NUMBER_SYSTEM, UPN_SYSTEM

__all__ = [
    "ADDRESS_USE_EXTENSION",
    "ASSESSMENT_ID_SYSTEM",
    "ASSESSMENT_KIND_SYSTEM",
    "AUTHORISED_DATE_EXTENSION",
    "CAF_ID_SYSTEM",
    "CAF_QUESTIONNAIRE",
    "CARER_ID_SYSTEM",
    "CARE_TEAM_ROLE_SYSTEM",
    "CHILD_ID_SYSTEM",
    "CHILD_SEEN_RECORDED_EXTENSION",
    "CONFIDENTIALITY_SYSTEM",
    "CONSENT_CATEGORY_LOINC",
    "CONSENT_ID_SYSTEM",
    "CONSENT_OBTAINED_BY_EXTENSION",
    "CONSENT_PURPOSE_SYSTEM",
    "CONSENT_SCOPE_SYSTEM",
    "CPIS_PLAN_TYPE_SYSTEM",
    "DFE_ETHNICITY",
    "DFE_FACTOR_SYSTEM",
    "EPISODE_ID_SYSTEM",
    "ETHNIC_CATEGORY_EXTENSION",
    "EXPECTED_BIRTH_DATE_EXTENSION",
    "GATEWAY_BASE",
    "INVOLVEMENT_CONSENT_EXTENSION",
    "INVOLVEMENT_ID_SYSTEM",
    "LA_CHILD_ID_SYSTEM_PREFIX",
    "LIVES_WITH_CHILD_EXTENSION",
    "NHS_ETHNIC_CATEGORY",
    "NHS_NUMBER_SYSTEM",
    "NHS_NUMBER_VERIFICATION_EXTENSION",
    "NHS_NUMBER_VERIFICATION_SYSTEM",
    "ODS_ORGANISATION_SYSTEM",
    "ORGANISATION_SYSTEMS",
    "ORGANISATION_TYPE_SYSTEM",
    "PARENTAL_RESPONSIBILITY_EXTENSION",
    "PARTICIPATION_TYPE_SYSTEM",
    "PRACTITIONER_ID_SYSTEM",
    "RELATIONSHIP_SYSTEMS",
    "ROLE_CODE_SYSTEM",
    "SAFEGUARDING_REASON_EXTENSION",
    "SENSITIVITY_CODES",
    "SENSITIVITY_SYSTEM",
    "SERVICE_TYPE_SYSTEM",
    "SHIELDING_REASON_EXTENSION",
    "UKCORE_ADDITIONAL_RELATIONSHIP_CODES",
    "UKCORE_RELATIONSHIP_SYSTEM",
    "UPN_SYSTEM",
    "V2_CONTACT_ROLE_SYSTEM",
]

# --- UK Core and NHS England ------------------------------------------------------------------------------
ETHNIC_CATEGORY_EXTENSION: Final = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
NHS_NUMBER_VERIFICATION_EXTENSION: Final = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
NHS_NUMBER_VERIFICATION_SYSTEM: Final = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
UKCORE_RELATIONSHIP_SYSTEM: Final = "https://fhir.hl7.org.uk/CodeSystem/UKCore-AdditionalPersonRelationshipRole"
UKCORE_ADDITIONAL_RELATIONSHIP_CODES: Final = frozenset(
    {
        "Agent", "Carer", "Dependant", "Guardian", "NonDependant", "NotSpecified", "Personal",
        "PolygamousPartner", "ProxyCommunication", "ProxyContactCommunication", "ProxyContact",
    }
)  # fmt: skip
ODS_ORGANISATION_SYSTEM: Final = "https://fhir.nhs.uk/Id/ods-organization-code"

# --- HL7 terminology ----------------------------------------------------------------------------------------
ROLE_CODE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
V2_CONTACT_ROLE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v2-0131"
RELATIONSHIP_SYSTEMS: Final = frozenset({ROLE_CODE_SYSTEM, UKCORE_RELATIONSHIP_SYSTEM})
CONFIDENTIALITY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
SENSITIVITY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SENSITIVITY_CODES: Final = {"sexual_health": "SEX", "mental_health": "MH", "substance_misuse": "ETH"}
"""Canonical sensitive category -> HL7 v3 ActCode information-sensitivity code (in ``meta.security``)."""
CONSENT_SCOPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY_LOINC: Final = ("http://loinc.org", "59284-0")
PARTICIPATION_TYPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

# --- the gateway's own ----------------------------------------------------------------------------------------
GATEWAY_BASE: Final = "https://ecm-gateway.example/fhir"
LA_CHILD_ID_SYSTEM_PREFIX: Final = f"{GATEWAY_BASE}/Id/la-child-id/"
"""Followed by the three-digit DfE LA number: an LA child id is unique only within its LA."""
CHILD_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/child-id"
"""The gateway's own child id: written for consumers, never read from a supplier (identity resolution owns it)."""
CARER_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/carer-id"
PRACTITIONER_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/practitioner-id"
INVOLVEMENT_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/involvement-id"
ASSESSMENT_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/assessment-id"
EPISODE_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/cin-episode-id"
CAF_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/caf-id"
CONSENT_ID_SYSTEM: Final = f"{GATEWAY_BASE}/Id/consent-id"
ORGANISATION_SYSTEMS: Final = {
    "ods": ODS_ORGANISATION_SYSTEM,
    "urn": f"{GATEWAY_BASE}/Id/school-urn",
    "dfe-la": f"{GATEWAY_BASE}/Id/dfe-la-number",
    "ukprn": f"{GATEWAY_BASE}/Id/ukprn",
    "local": f"{GATEWAY_BASE}/Id/local-organisation",
}
"""Canonical ``Organisation.code_system`` -> FHIR identifier system."""

ASSESSMENT_KIND_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/assessment-kind"
CARE_TEAM_ROLE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/care-team-role"
"""Code ``lead-professional`` marks the CareTeam participant who is the lead professional."""
CONSENT_PURPOSE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/consent-purpose"
CPIS_PLAN_TYPE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/cpis-plan-type"
DFE_FACTOR_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/dfe-assessment-factor"
ORGANISATION_TYPE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/organisation-kind"
SERVICE_TYPE_SYSTEM: Final = f"{GATEWAY_BASE}/CodeSystem/service-type"

CAF_QUESTIONNAIRE: Final = f"{GATEWAY_BASE}/Questionnaire/caf"
"""Canonical URL of the gateway's CAF Questionnaire (``schemas/fhir/Questionnaire-caf.json``)."""

PARENTAL_RESPONSIBILITY_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/parental-responsibility"
LIVES_WITH_CHILD_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/lives-with-child"
ADDRESS_USE_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/address-use"
CONSENT_OBTAINED_BY_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/consent-obtained-by"
INVOLVEMENT_CONSENT_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/involvement-consent"
SAFEGUARDING_REASON_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/safeguarding-reason"
EXPECTED_BIRTH_DATE_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/expected-birth-date"
SHIELDING_REASON_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/shielding-reason"
"""valueString on a restricted (shielded) Patient: why the child's whereabouts are withheld."""
CHILD_SEEN_RECORDED_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/child-seen-recorded"
"""valueBoolean false on an assessment Encounter: its source could not record child-seen dates."""
AUTHORISED_DATE_EXTENSION: Final = f"{GATEWAY_BASE}/StructureDefinition/assessment-authorised-date"
