"""Hypothesis strategies: canonical records that ics-xml can carry (every model, every field, edge values)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from adapters.ics_xml.schema import ics_schema
from gateway import (
    Address,
    Adoption,
    AdoptionDecision,
    Assessment,
    CafAction,
    CafAssessment,
    CafDomain,
    CafDomains,
    CareLeaver,
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
    LookedAfterOutcomes,
    MissingEpisode,
    Organisation,
    PersonName,
    Practitioner,
    PreviousPermanence,
    Review,
    Section47Enquiry,
    UascStatus,
)
from gateway.codes import DFE_ETHNICITY

__all__ = ["child_records"]

_CODES = ics_schema()


def _codes(type_name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(_CODES.codes(type_name))


# XML 1.0 characters, including the ones that need care: CR (kept only as &#13;), tabs, newlines, markup
# characters, non-BMP characters and Unicode spaces that XML white-space collapsing must NOT touch.
_XML_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    exclude_characters="".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff",
)
text = st.text(_XML_CHARS, max_size=12) | st.sampled_from(["", " ", "a\r\nb", "  padded  ", "<&>\"']]>", "\u00a0x"])
_WORD = st.text(_XML_CHARS.filter(lambda c: c not in " \t\n\r"), min_size=1, max_size=6)


def tokens(max_size: int) -> st.SearchStrategy[str]:
    """Collapsed, non-empty strings (``xs:token`` with minLength 1) of at most ``max_size`` characters."""
    return st.lists(_WORD, min_size=1, max_size=3).map(" ".join).filter(lambda t: len(t) <= max_size)


ids = tokens(100)
codes = tokens(64)
dfe_codes = tokens(16)
dates = st.dates()
_ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=1)),
        timezone(timedelta(hours=-5, minutes=-30)),
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-14)),
        timezone(timedelta(seconds=3661)),
    ]  # the last is written in UTC
)
# Local times a day inside the datetime range, so every offset above converts to UTC (a filter calling
# astimezone raised OverflowError on 0001-01-01T00:00+01:00 instead of rejecting it).
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_ZONES)


def opt(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


def many(strategy: st.SearchStrategy[object], max_size: int = 2) -> st.SearchStrategy[tuple[object, ...]]:
    return st.lists(strategy, max_size=max_size).map(tuple)


names = st.builds(PersonName, use=_codes("NameUseType"), given=many(text, 3), family=opt(text))
addresses = st.builds(
    Address,
    use=_codes("AddressUseType"),
    lines=many(text, 3),
    town=opt(text),
    postcode=opt(dfe_codes),
    start=opt(dates),
    end=opt(dates),
)
contacts = st.builds(ContactDetail, system=_codes("ContactSystemType"), value=text, use=opt(_codes("ContactUseType")))
organisations = st.builds(
    Organisation, code=opt(ids), code_system=opt(_codes("OrganisationCodeSystemType")), name=opt(text), kind=opt(codes)
)
practitioners = st.builds(
    Practitioner,
    practitioner_id=opt(ids),
    name=opt(names),
    role=opt(text),
    organisation=opt(organisations),
    contacts=many(contacts),
)
consents = st.builds(
    Consent,
    consent_id=ids,
    purpose=_codes("ConsentPurposeType"),
    given_by_role=_codes("ConsentGivenByType"),
    given_by_name=opt(names),
    obtained_by=opt(practitioners),
    scope=many(ids, 3),
    given_at=instants,
    withdrawn_at=opt(instants),
)
children = st.builds(
    Child,
    child_id=opt(ids),
    local_ids=many(st.builds(LocalId, la_code=st.from_regex(r"[0-9]{3}", fullmatch=True), la_child_id=ids)),
    nhs_number=opt(st.from_regex(r"[0-9]{10}", fullmatch=True)),
    nhs_number_verification=st.none(),  # set with a number below: the attribute needs its element
    upn=opt(st.from_regex(r"[A-Za-z0-9]{13}", fullmatch=True)),
    former_upns=many(st.from_regex(r"[A-Za-z0-9]{13}", fullmatch=True)),
    upn_unknown_reason=opt(_codes("UPNUnknownReasonType")),
    names=many(names),
    birth_date=opt(dates),
    expected_birth_date=opt(dates),
    death_date=opt(dates),
    sex=opt(_codes("SexType")),
    ethnicity=opt(
        st.builds(Coding, system=st.just(DFE_ETHNICITY), code=_codes("EthnicityCodeType"), display=opt(text))
    ),
    disabilities=many(_codes("DisabilityType"), 3),
    addresses=many(addresses),
    no_known_address=st.booleans(),
    contacts=many(contacts),
    shielded=st.booleans(),
    shielding_reason=opt(text),
    education_setting=opt(organisations),
    gp_practice=opt(organisations),
    purge=st.booleans(),
).flatmap(
    lambda child: (
        st.just(child)
        if child.nhs_number is None
        else opt(codes).map(lambda status: child.model_copy(update={"nhs_number_verification": status}))
    )
)
carers = st.builds(
    Carer,
    carer_id=opt(ids),
    names=many(names),
    relationship=opt(codes),
    parental_responsibility=opt(st.booleans()),
    lives_with_child=opt(st.booleans()),
    contacts=many(contacts),
    addresses=many(addresses),
)
involvements = st.builds(
    Involvement,
    involvement_id=opt(ids),
    service_type=codes,
    organisation=opt(organisations),
    practitioner=opt(practitioners),
    role=opt(text),
    start=opt(dates),
    end=opt(dates),
    lead_professional=st.booleans(),
    sensitive_category=opt(_codes("SensitiveCategoryType")),
    consent_id=opt(ids),
    safeguarding_reason=opt(text),
    plan_type=opt(codes),
)
episodes = st.builds(
    CinEpisode,
    purge=st.booleans(),
    episode_id=ids,
    referral_date=opt(dates),
    referral_source=opt(dfe_codes),
    primary_need=opt(_codes("PrimaryNeedType")),
    closure_date=opt(dates),
    closure_reason=opt(_codes("ClosureReasonType")),
    referral_nfa=opt(st.booleans()),
    initial_cp_conference_date=opt(dates),
)
assessments = st.builds(
    Assessment,
    purge=st.booleans(),
    assessment_id=ids,
    episode_id=opt(ids),
    kind=_codes("AssessmentKindType"),
    start_date=opt(dates),
    child_seen_dates=many(dates, 3),
    child_seen_known=st.booleans(),
    completed_date=opt(dates),
    authorised_date=opt(dates),
    internal_review_date=opt(dates),
    factors=many(dfe_codes, 3),
    assessor=opt(practitioners),
)
enquiries = st.builds(
    Section47Enquiry,
    purge=st.booleans(),
    enquiry_id=ids,
    episode_id=opt(ids),
    start_date=opt(dates),
    icpc_target_date=opt(dates),
    icpc_date=opt(dates),
    icpc_not_required=opt(st.booleans()),
    end_date=opt(dates),
)
cp_plans = st.builds(
    ChildProtectionPlan,
    purge=st.booleans(),
    plan_id=ids,
    episode_id=opt(ids),
    start_date=opt(dates),
    end_date=opt(dates),
    initial_category=opt(_codes("CategoryOfAbuseType")),
    latest_category=opt(_codes("CategoryOfAbuseType")),
    previous_plans=opt(st.integers(0, 10**20)),
    review_dates=many(dates, 3),
)
cin_plans = st.builds(
    CinPlan, purge=st.booleans(), plan_id=ids, episode_id=opt(ids), start_date=opt(dates), end_date=opt(dates)
)
looked_after = st.builds(
    LookedAfterEpisode,
    purge=st.booleans(),
    episode_id=ids,
    start_date=opt(dates),
    reason_new_episode=opt(dfe_codes),
    legal_status=opt(dfe_codes),
    category_of_need=opt(dfe_codes),
    placement_type=opt(dfe_codes),
    placement_provider=opt(dfe_codes),
    placement_postcode=opt(dfe_codes),
    home_postcode=opt(dfe_codes),
    placement_urn=opt(ids),
    end_date=opt(dates),
    reason_ceased=opt(dfe_codes),
    reason_place_change=opt(dfe_codes),
)
reviews = st.builds(Review, review_date=opt(dates), participation_code=opt(dfe_codes))
missing = st.builds(MissingEpisode, kind=_codes("MissingKindType"), start_date=opt(dates), end_date=opt(dates))
domains = st.builds(CafDomain, summary=opt(text), strengths=many(text, 3), needs=many(text, 3))
cafs = st.builds(
    CafAssessment,
    caf_id=ids,
    version=st.integers(1, 10**6),
    status=_codes("CAFStatusType"),
    started_date=opt(dates),
    completed_date=opt(dates),
    assessor=opt(practitioners),
    domains=st.builds(
        CafDomains, development_of_child=domains, parents_and_carers=domains, family_and_environment=domains
    ),
    conclusions=opt(text),
    actions=many(st.builds(CafAction, description=text, responsible=opt(practitioners), due_date=opt(dates))),
    lead_professional=opt(practitioners),
    review_date=opt(dates),
    consents=many(consents),
)
booleans = opt(st.booleans())
uasc = st.builds(UascStatus, ceased_date=opt(dates))
outcomes = st.builds(
    LookedAfterOutcomes,
    sdq_score=opt(st.integers(0, 40)),
    sdq_reason=opt(_codes("SDQReasonType")),
    convicted=booleans,
    development_assessment_up_to_date=booleans,
    immunisations_up_to_date=booleans,
    dental_check=booleans,
    health_assessment_up_to_date=booleans,
    substance_misuse=booleans,
    substance_misuse_intervention_received=booleans,
    substance_misuse_intervention_offered=booleans,
)
care_leavers = st.builds(
    CareLeaver,
    in_touch=opt(_codes("CareLeaverContactType")),
    contact_date=opt(dates),
    purge=st.booleans(),
    activity=opt(_codes("CareLeaverActivityType")),
    accommodation=opt(_codes("CareLeaverAccommodationType")),
)
adoptions = st.builds(
    Adoption,
    decision_date=opt(dates),
    matched_date=opt(dates),
    placed_date=opt(dates),
    by_foster_carers=booleans,
    purge=st.booleans(),
    adopter_count=opt(st.integers(1, 2)),
    adopters_sex=opt(_codes("AdoptersSexType")),
    adopters_legal_status=opt(_codes("AdoptersLegalStatusType")),
)
adoption_decisions = st.builds(
    AdoptionDecision,
    decision_date=opt(dates),
    reversed_date=opt(dates),
    reversal_reason=opt(_codes("AdoptionDecisionReversalType")),
)
previous_permanence = st.builds(
    PreviousPermanence, order_type=opt(_codes("PermanenceOrderType")), order_date=opt(dates), la_code=opt(dfe_codes)
)
child_records = st.builds(
    ChildRecord,
    child=children,
    carers=many(carers),
    involvements=many(involvements),
    consents=many(consents),
    cin_episodes=many(episodes),
    assessments=many(assessments),
    section47_enquiries=many(enquiries),
    child_protection_plans=many(cp_plans),
    cin_plans=many(cin_plans),
    looked_after_episodes=many(looked_after),
    reviews=many(reviews),
    missing_episodes=many(missing),
    uasc=opt(uasc),
    looked_after_outcomes=opt(outcomes),
    care_leaver=opt(care_leavers),
    adoption=opt(adoptions),
    adoption_decisions=many(adoption_decisions),
    previous_permanence=many(previous_permanence),
    caf_assessments=many(cafs),
    purge=st.booleans(),
)
"""Any ``ChildRecord`` (without lineage) whose every value ics-xml can carry."""
