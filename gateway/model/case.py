"""Case information: never leaves for the directory. Episodes, assessments, enquiries, plans, care."""

from __future__ import annotations

from datetime import date
from typing import Literal

from gateway.model._base import CanonicalModel
from gateway.model.person import Organisation, Practitioner

__all__ = [
    "Assessment",
    "AssessmentKind",
    "ChildProtectionPlan",
    "CinEpisode",
    "CinPlan",
    "Involvement",
    "LookedAfterEpisode",
    "MissingEpisode",
    "Review",
    "Section47Enquiry",
    "SensitiveCategory",
]

SensitiveCategory = Literal["sexual_health", "mental_health", "substance_misuse"]
"""Services whose involvement may be shared only with explicit consent or a recorded safeguarding reason."""

AssessmentKind = Literal["initial", "core", "single", "continuous", "other"]
"""ICS initial (7 working days) and core (35) assessments; ``single`` is the post-2013 single assessment."""


class Involvement(CanonicalModel):
    """A service or practitioner working with the child (directory data, not case information)."""

    involvement_id: str | None = None
    service_type: str
    """What kind of service, e.g. ``social-care``, ``health-visiting``, ``school-nursing``, ``youth-offending``."""
    organisation: Organisation | None = None
    practitioner: Practitioner | None = None
    role: str | None = None
    start: date | None = None
    end: date | None = None
    lead_professional: bool = False
    sensitive_category: SensitiveCategory | None = None
    consent_id: str | None = None
    """The consent (in the record's ``consents``) that allows a sensitive involvement to be shared."""
    safeguarding_reason: str | None = None
    """A recorded safeguarding reason that allows sharing a sensitive involvement without consent."""
    plan_type: str | None = None
    """The CP-IS plan this involvement works under: ``child-protection-plan``, ``looked-after-child`` or
    ``unborn-child-protection-plan`` (FHIR ``CareTeam.category``)."""


class CinEpisode(CanonicalModel):
    """A children-in-need episode: referral to closure (CIN census ``CINdetails``)."""

    episode_id: str
    referral_date: date | None = None
    referral_source: str | None = None
    primary_need: str | None = None
    """DfE primary need code (``N1``..``N9``, ``N0``)."""
    closure_date: date | None = None
    closure_reason: str | None = None
    """DfE reason for closure (``RC1``..``RC9``)."""
    referral_nfa: bool | None = None
    """Referral with no further action."""
    initial_cp_conference_date: date | None = None
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class Assessment(CanonicalModel):
    """An assessment. Phase 1B: it cannot be completed unless the child was seen between start and completion."""

    assessment_id: str
    episode_id: str | None = None
    kind: AssessmentKind = "single"
    start_date: date | None = None
    child_seen_dates: tuple[date, ...] = ()
    """Dates the child was seen during the assessment (ICS and FHIR carry them; the CIN census does not)."""
    child_seen_known: bool = True
    """False when the source format cannot carry child-seen dates (rules then report "not evaluated")."""
    completed_date: date | None = None
    authorised_date: date | None = None
    internal_review_date: date | None = None
    """CIN census ``AssessmentInternalReviewDate``: when the assessment was reviewed internally, if it was."""
    factors: tuple[str, ...] = ()
    """DfE factors identified at the end of assessment (``1A``, ``2B``, ``21`` ...)."""
    assessor: Practitioner | None = None
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class Section47Enquiry(CanonicalModel):
    """A section 47 enquiry and its initial child protection conference."""

    enquiry_id: str
    episode_id: str | None = None
    start_date: date | None = None
    icpc_target_date: date | None = None
    icpc_date: date | None = None
    icpc_not_required: bool | None = None
    end_date: date | None = None
    """When the enquiry ended (DfE CSC API ``section_47_assessments.end_date``)."""
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class ChildProtectionPlan(CanonicalModel):
    """A child protection plan (which replaced the child protection register on 1 April 2008)."""

    plan_id: str
    episode_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    initial_category: str | None = None
    """DfE category of abuse (``NEG``, ``PHY``, ``SAB``, ``EMO``, ``MUL``)."""
    latest_category: str | None = None
    previous_plans: int | None = None
    review_dates: tuple[date, ...] = ()
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class CinPlan(CanonicalModel):
    """A child in need plan."""

    plan_id: str
    episode_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class LookedAfterEpisode(CanonicalModel):
    """An episode of care (SSDA903 ``episodes``)."""

    episode_id: str
    start_date: date | None = None
    reason_new_episode: str | None = None
    """SSDA903 ``RNE``."""
    legal_status: str | None = None
    """SSDA903 ``LS``."""
    category_of_need: str | None = None
    """SSDA903 ``CIN`` (N1..N8)."""
    placement_type: str | None = None
    """SSDA903 ``PLACE`` (``PL`` in 903 XML)."""
    placement_provider: str | None = None
    placement_postcode: str | None = None
    home_postcode: str | None = None
    placement_urn: str | None = None
    end_date: date | None = None
    reason_ceased: str | None = None
    """SSDA903 ``REC``."""
    reason_place_change: str | None = None
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class Review(CanonicalModel):
    """A looked-after review (SSDA903 ``reviews``)."""

    review_date: date | None = None
    participation_code: str | None = None
    """SSDA903 ``REVIEW_CODE`` (PN0..PN7)."""


class MissingEpisode(CanonicalModel):
    """A period missing from, or away from, placement (SSDA903 ``missing``)."""

    kind: Literal["missing", "away"] = "missing"
    start_date: date | None = None
    end_date: date | None = None
