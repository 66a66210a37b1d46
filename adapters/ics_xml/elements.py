"""The element tables of ``ics-xml``: which element or attribute carries which canonical field, model by model.

Built from the member types of :mod:`adapters.ics_xml.layout`; the order of each layout is the order of the
``xs:sequence`` in ``schemas/ics-xml/ics-exchange-1.1.xsd``. ``CHILD_RECORD`` is the ``<Child>`` element; the
looked-after parts beyond episodes (UASC, outcomes, care leaver, adoption ...) are in
:mod:`adapters.ics_xml.care_elements`.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel

from adapters.ics_xml.care_elements import CARE_PARTS
from adapters.ics_xml.layout import OWN_TEXT, Group, Layout, Member, Part, Value
from gateway import (
    Address,
    Assessment,
    CafAction,
    CafAssessment,
    CafDomain,
    CafDomains,
    Carer,
    Child,
    ChildProtectionPlan,
    ChildRecord,
    CinEpisode,
    CinPlan,
    Coding,
    Consent,
    ContactDetail,
    Involvement,
    LocalId,
    LookedAfterEpisode,
    MissingEpisode,
    Organisation,
    PersonName,
    Practitioner,
    Review,
    Section47Enquiry,
)
from gateway.codes import DFE_ETHNICITY

__all__ = ["CHILD_RECORD", "NOT_CARRIED", "iter_layouts"]


ORGANISATION: Final = Layout(
    Organisation,
    (
        Value("Code", "code"),
        Value("CodeSystem", "code_system"),
        Value("Name", "name", "text"),
        Value("Kind", "kind"),
    ),
)

PERSON_NAME: Final = Layout(
    PersonName,
    (
        Value("@use", "use"),
        Value("Given", "given", "text", repeat=True),
        Value("Family", "family", "text"),
    ),
)

ADDRESS: Final = Layout(
    Address,
    (
        Value("@use", "use"),
        Value("Line", "lines", "text", repeat=True),
        Value("Town", "town", "text"),
        Value("Postcode", "postcode"),
        Value("StartDate", "start", "date"),
        Value("EndDate", "end", "date"),
    ),
)

CONTACT: Final = Layout(
    ContactDetail,
    (
        Value("@system", "system"),
        Value("@use", "use"),
        Value(OWN_TEXT, "value", "text"),
    ),
)

PRACTITIONER: Final = Layout(
    Practitioner,
    (
        Value("PractitionerId", "practitioner_id"),
        Part("Name", "name", PERSON_NAME),
        Value("Role", "role", "text"),
        Part("Organisation", "organisation", ORGANISATION),
        Part("Contact", "contacts", CONTACT, repeat=True, wrapper="Contacts"),
    ),
)

ETHNICITY: Final = Layout(
    Coding,
    (Value("@display", "display", "text"), Value(OWN_TEXT, "code")),
    fixed={"system": DFE_ETHNICITY},
)

LOCAL_ID: Final = Layout(LocalId, (Value("LACode", "la_code"), Value("LAChildId", "la_child_id")))

CHILD: Final = Layout(
    Child,
    (
        Group(
            "Identifiers",
            (
                Value("GatewayChildId", "child_id"),
                Part("LocalId", "local_ids", LOCAL_ID, repeat=True),
                Group(
                    "NHSNumber",
                    (Value("@verificationStatus", "nhs_number_verification"), Value(OWN_TEXT, "nhs_number")),
                ),
                Value("UPN", "upn"),
                Value("FormerUPN", "former_upns", repeat=True),
                Value("UPNUnknownReason", "upn_unknown_reason"),
            ),
        ),
        Part("Name", "names", PERSON_NAME, repeat=True, wrapper="Names"),
        Value("BirthDate", "birth_date", "date"),
        Value("ExpectedBirthDate", "expected_birth_date", "date"),
        Value("DeathDate", "death_date", "date"),
        Value("Sex", "sex"),
        Part("Ethnicity", "ethnicity", ETHNICITY),
        Value("Disability", "disabilities", repeat=True, wrapper="Disabilities"),
        Part("Address", "addresses", ADDRESS, repeat=True, wrapper="Addresses"),
        Value("NoKnownAddress", "no_known_address", "bool"),
        Part("Contact", "contacts", CONTACT, repeat=True, wrapper="Contacts"),
        Value("Shielded", "shielded", "bool"),
        Value("ShieldingReason", "shielding_reason", "text"),
        Part("EducationSetting", "education_setting", ORGANISATION),
        Part("GPPractice", "gp_practice", ORGANISATION),
        Value("PurgeDetails", "purge", "bool"),
    ),
)

CARER: Final = Layout(
    Carer,
    (
        Value("CarerId", "carer_id"),
        Part("Name", "names", PERSON_NAME, repeat=True, wrapper="Names"),
        Value("Relationship", "relationship"),
        Value("ParentalResponsibility", "parental_responsibility", "bool"),
        Value("LivesWithChild", "lives_with_child", "bool"),
        Part("Contact", "contacts", CONTACT, repeat=True, wrapper="Contacts"),
        Part("Address", "addresses", ADDRESS, repeat=True, wrapper="Addresses"),
    ),
)

INVOLVEMENT: Final = Layout(
    Involvement,
    (
        Value("InvolvementId", "involvement_id"),
        Value("ServiceType", "service_type"),
        Part("Organisation", "organisation", ORGANISATION),
        Part("Practitioner", "practitioner", PRACTITIONER),
        Value("Role", "role", "text"),
        Value("StartDate", "start", "date"),
        Value("EndDate", "end", "date"),
        Value("LeadProfessional", "lead_professional", "bool"),
        Value("SensitiveCategory", "sensitive_category"),
        Value("ConsentId", "consent_id"),
        Value("SafeguardingReason", "safeguarding_reason", "text"),
        Value("PlanType", "plan_type"),
    ),
)

CONSENT: Final = Layout(
    Consent,
    (
        Value("ConsentId", "consent_id"),
        Value("Purpose", "purpose", always=True),
        Value("GivenByRole", "given_by_role"),
        Part("GivenByName", "given_by_name", PERSON_NAME),
        Part("ObtainedBy", "obtained_by", PRACTITIONER),
        Value("Agency", "scope", repeat=True, wrapper="Scope"),
        Value("GivenAt", "given_at", "instant"),
        Value("WithdrawnAt", "withdrawn_at", "instant"),
    ),
)

CIN_EPISODE: Final = Layout(
    CinEpisode,
    (
        Value("EpisodeId", "episode_id"),
        Value("ReferralDate", "referral_date", "date"),
        Value("ReferralSource", "referral_source"),
        Value("PrimaryNeed", "primary_need"),
        Value("ClosureDate", "closure_date", "date"),
        Value("ClosureReason", "closure_reason"),
        Value("ReferralNFA", "referral_nfa", "bool"),
        Value("InitialCPConferenceDate", "initial_cp_conference_date", "date"),
        Value("Purge", "purge", "bool"),
    ),
)

ASSESSMENT: Final = Layout(
    Assessment,
    (
        Value("AssessmentId", "assessment_id"),
        Value("EpisodeId", "episode_id"),
        Value("Kind", "kind", always=True),
        Value("StartDate", "start_date", "date"),
        Group(
            "ChildSeen",
            (Value("@known", "child_seen_known", "bool"), Value("SeenDate", "child_seen_dates", "date", repeat=True)),
        ),
        Value("CompletedDate", "completed_date", "date"),
        Value("AuthorisedDate", "authorised_date", "date"),
        Value("InternalReviewDate", "internal_review_date", "date"),
        Value("Factor", "factors", repeat=True, wrapper="Factors"),
        Part("Assessor", "assessor", PRACTITIONER),
        Value("Purge", "purge", "bool"),
    ),
)

SECTION47: Final = Layout(
    Section47Enquiry,
    (
        Value("EnquiryId", "enquiry_id"),
        Value("EpisodeId", "episode_id"),
        Value("StartDate", "start_date", "date"),
        Value("ICPCTargetDate", "icpc_target_date", "date"),
        Value("ICPCDate", "icpc_date", "date"),
        Value("ICPCNotRequired", "icpc_not_required", "bool"),
        Value("EndDate", "end_date", "date"),
        Value("Purge", "purge", "bool"),
    ),
)

CP_PLAN: Final = Layout(
    ChildProtectionPlan,
    (
        Value("PlanId", "plan_id"),
        Value("EpisodeId", "episode_id"),
        Value("StartDate", "start_date", "date"),
        Value("EndDate", "end_date", "date"),
        Value("InitialCategory", "initial_category"),
        Value("LatestCategory", "latest_category"),
        Value("PreviousPlans", "previous_plans", "int"),
        Value("ReviewDate", "review_dates", "date", repeat=True),
        Value("Purge", "purge", "bool"),
    ),
)

CIN_PLAN: Final = Layout(
    CinPlan,
    (
        Value("PlanId", "plan_id"),
        Value("EpisodeId", "episode_id"),
        Value("StartDate", "start_date", "date"),
        Value("EndDate", "end_date", "date"),
        Value("Purge", "purge", "bool"),
    ),
)

LOOKED_AFTER: Final = Layout(
    LookedAfterEpisode,
    (
        Value("EpisodeId", "episode_id"),
        Value("StartDate", "start_date", "date"),
        Value("ReasonNewEpisode", "reason_new_episode"),
        Value("LegalStatus", "legal_status"),
        Value("CategoryOfNeed", "category_of_need"),
        Value("PlacementType", "placement_type"),
        Value("PlacementProvider", "placement_provider"),
        Value("PlacementPostcode", "placement_postcode"),
        Value("HomePostcode", "home_postcode"),
        Value("PlacementURN", "placement_urn"),
        Value("EndDate", "end_date", "date"),
        Value("ReasonCeased", "reason_ceased"),
        Value("ReasonPlaceChange", "reason_place_change"),
        Value("Purge", "purge", "bool"),
    ),
)

REVIEW: Final = Layout(
    Review, (Value("ReviewDate", "review_date", "date"), Value("ParticipationCode", "participation_code"))
)

MISSING: Final = Layout(
    MissingEpisode,
    (
        Value("Kind", "kind", always=True),
        Value("StartDate", "start_date", "date"),
        Value("EndDate", "end_date", "date"),
    ),
)

CAF_DOMAIN: Final = Layout(
    CafDomain,
    (
        Value("Summary", "summary", "text"),
        Value("Strength", "strengths", "text", repeat=True),
        Value("Need", "needs", "text", repeat=True),
    ),
)

CAF_DOMAINS: Final = Layout(
    CafDomains,
    (
        Part("DevelopmentOfChild", "development_of_child", CAF_DOMAIN),
        Part("ParentsAndCarers", "parents_and_carers", CAF_DOMAIN),
        Part("FamilyAndEnvironment", "family_and_environment", CAF_DOMAIN),
    ),
)

CAF_ACTION: Final = Layout(
    CafAction,
    (
        Value("Description", "description", "text"),
        Part("Responsible", "responsible", PRACTITIONER),
        Value("DueDate", "due_date", "date"),
    ),
)

CAF: Final = Layout(
    CafAssessment,
    (
        Value("CAFId", "caf_id"),
        Value("Version", "version", "int", always=True),
        Value("Status", "status", always=True),
        Value("StartedDate", "started_date", "date"),
        Value("CompletedDate", "completed_date", "date"),
        Part("Assessor", "assessor", PRACTITIONER),
        Part("Domains", "domains", CAF_DOMAINS),
        Value("Conclusions", "conclusions", "text"),
        Part("Action", "actions", CAF_ACTION, repeat=True, wrapper="Actions"),
        Part("LeadProfessional", "lead_professional", PRACTITIONER),
        Value("ReviewDate", "review_date", "date"),
        Part("Consent", "consents", CONSENT, repeat=True, wrapper="Consents"),
    ),
)

CHILD_RECORD: Final = Layout(
    ChildRecord,
    (
        Part(OWN_TEXT, "child", CHILD),
        Part("Carer", "carers", CARER, repeat=True, wrapper="Carers"),
        Part("Involvement", "involvements", INVOLVEMENT, repeat=True, wrapper="Involvements"),
        Part("Consent", "consents", CONSENT, repeat=True, wrapper="Consents"),
        Part("CINEpisode", "cin_episodes", CIN_EPISODE, repeat=True, wrapper="CINEpisodes"),
        Part("Assessment", "assessments", ASSESSMENT, repeat=True, wrapper="Assessments"),
        Part("Section47Enquiry", "section47_enquiries", SECTION47, repeat=True, wrapper="Section47Enquiries"),
        Part("ChildProtectionPlan", "child_protection_plans", CP_PLAN, repeat=True, wrapper="ChildProtectionPlans"),
        Part("CINPlan", "cin_plans", CIN_PLAN, repeat=True, wrapper="CINPlans"),
        Part("LookedAfterEpisode", "looked_after_episodes", LOOKED_AFTER, repeat=True, wrapper="LookedAfterEpisodes"),
        Part("Review", "reviews", REVIEW, repeat=True, wrapper="Reviews"),
        Part("MissingEpisode", "missing_episodes", MISSING, repeat=True, wrapper="MissingEpisodes"),
        *CARE_PARTS,
        Part("CAFAssessment", "caf_assessments", CAF, repeat=True, wrapper="CAFAssessments"),
        Value("Purge", "purge", "bool"),
    ),
)
"""The ``<Child>`` element: the canonical ``ChildRecord`` (its ``lineage`` is not carried)."""

NOT_CARRIED: Final = {(ChildRecord, "lineage")}
"""Canonical fields the format deliberately does not carry."""


def _members(members: tuple[Member, ...]) -> list[Value | Part]:
    flat: list[Value | Part] = []
    for member in members:
        if isinstance(member, Group):
            flat.extend(_members(member.members))
        else:
            flat.append(member)
    return flat


def iter_layouts(layout: Layout = CHILD_RECORD) -> list[tuple[Layout, list[Value | Part]]]:
    """Every layout reachable from ``layout`` (each once) with its members, groups flattened."""
    seen: dict[type[BaseModel], tuple[Layout, list[Value | Part]]] = {}
    pending = [layout]
    while pending:
        current = pending.pop()
        if current.model in seen:
            continue
        members = _members(current.members)
        seen[current.model] = (current, members)
        pending.extend(member.layout for member in members if isinstance(member, Part))
    return list(seen.values())
